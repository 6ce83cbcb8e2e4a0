import { describe, expect, it } from 'vitest';
import { createFinnotechBanking, type FinnotechClientOptions } from '../../providers/finnotech/finnotech.client.js';
import { FinnotechRefusedError } from '../../providers/finnotech/finnotech.errors.js';
import type { StatementLine } from '../../providers/finnotech/finnotech.port.js';
import { startConnectProxy } from '../../testing/connect-proxy.js';
import { closeAfterEach, FAST_RESILIENCE } from '../../testing/provider-fixtures.js';
import { ibanFor, SEED_CARDS, withLuhn } from './fixtures.js';
import {
  FINNOTECH_SIMULATOR_DEFAULTS,
  startFinnotechSimulator,
  type FinnotechSimulatorOptions,
} from './finnotech.simulator.js';

const track = closeAfterEach();
const D = FINNOTECH_SIMULATOR_DEFAULTS;

async function setup(simOptions: FinnotechSimulatorOptions = {}, clientOptions: Partial<FinnotechClientOptions> = {}) {
  const sim = track(await startFinnotechSimulator(simOptions));
  const saved: string[] = [];
  const client = createFinnotechBanking({
    baseUrl: sim.url,
    clientId: D.clientId,
    clientSecret: D.clientSecret,
    nid: D.nid,
    sourceDeposit: D.deposit,
    statement: {
      bank: D.bank,
      refreshToken: D.statementRefreshToken,
      store: { load: async () => saved.at(-1) ?? null, save: async (t) => void saved.push(t) },
    },
    resilience: FAST_RESILIENCE,
    ...clientOptions,
  });
  return { sim, client, saved };
}

const DEST = ibanFor('0170000000123456789001');
const transfer = (trackId: string, amountToman = 1_000_000n) => ({
  trackId,
  amountToman,
  destinationIban: DEST,
  destinationOwner: { firstName: 'علی', lastName: 'رضایی' },
  description: 'برداشت تومان',
  paymentNumber: '100245',
});

describe('FinnoTech client ↔ simulator: inquiries', () => {
  it('card holder, card to IBAN and IBAN owners from the seeded set and registered ones; one token for all', async () => {
    const { sim, client } = await setup();
    const seed = SEED_CARDS[0]!;
    expect(await client.cardHolder(seed.card)).toEqual({ name: seed.name, bankName: seed.bankName });
    expect(await client.cardToIban(seed.card)).toEqual({
      card: seed.card,
      iban: seed.iban,
      bankName: seed.bankName,
      ownerName: seed.name,
    });
    expect(await client.ibanInquiry(seed.iban)).toEqual({
      iban: seed.iban,
      bankName: seed.bankName,
      owners: [{ firstName: 'علی', lastName: 'رضایی' }],
      accountStatus: 'ACTIVE',
    });
    const card = withLuhn('603799000000123');
    const iban = ibanFor('0170000000777777777001');
    sim.registerCard({ card, name: 'زهرا حسینی', bankName: 'بانک ملی ایران', iban });
    sim.registerIban({
      iban,
      bankName: 'بانک ملی ایران',
      owners: [{ firstName: 'زهرا', lastName: 'حسینی' }],
      depositStatus: '04',
    });
    expect((await client.cardHolder(card)).name).toBe('زهرا حسینی');
    expect((await client.ibanInquiry(iban)).accountStatus).toBe('BLOCKED');
    await expect(client.cardHolder(withLuhn('603799000000999'))).rejects.toMatchObject({ reason: 'CARD_14' });
    await expect(client.ibanInquiry(ibanFor('0170000000000000000009'))).rejects.toBeInstanceOf(FinnotechRefusedError);
    expect(sim.tokenRequests()).toEqual({ client_credentials: 1 });
    const ids = sim.trackIds();
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id.length <= 40)).toBe(true);
  });

  it('refreshes an expired token once on 401 (refresh_token grant) and goes on with a new trackId', async () => {
    const { sim, client } = await setup();
    await client.cardHolder(SEED_CARDS[1]!.card);
    sim.expireTokens();
    expect((await client.cardHolder(SEED_CARDS[1]!.card)).name).toBe(SEED_CARDS[1]!.name);
    expect(sim.tokenRequests()).toEqual({ client_credentials: 1, 'refresh:CLIENT-CREDENTIAL': 1 });
    const ids = sim.trackIds();
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('reads are retried after a 5xx, each attempt with a fresh trackId', async () => {
    const { sim, client } = await setup();
    await client.cardHolder(SEED_CARDS[0]!.card); // token first
    sim.setFailure({ mode: 'server-error', times: 1 });
    expect((await client.cardToIban(SEED_CARDS[0]!.card)).iban).toBe(SEED_CARDS[0]!.iban);
  });
});

describe('FinnoTech client ↔ simulator: statement', () => {
  it('pages by transactionChain/lastRecordNumber, converts Rial to Toman and carries deposit ids and masked cards', async () => {
    const { sim, client, saved } = await setup({ seedLines: 0, pageSize: 100 });
    const base = Date.now() - 3_600_000;
    for (let i = 0; i < 240; i += 1)
      sim.appendCredit(
        i % 2 === 0
          ? { kind: 'paya', amountToman: BigInt(1_000 + i), depositId: `D${i}`, at: new Date(base + i * 1000) }
          : {
              kind: 'card',
              amountToman: BigInt(2_000 + i),
              sourceCard: SEED_CARDS[0]!.card,
              at: new Date(base + i * 1000),
            },
      );
    const lines: StatementLine[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await client.statement({
        depositNumber: D.deposit,
        from: new Date(base - 60_000),
        to: new Date(),
        cursor,
      });
      lines.push(...page.lines);
      cursor = page.next;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(lines).toHaveLength(240);
    expect(new Set(lines.map((l) => l.refCode)).size).toBe(240);
    expect(lines[0]).toMatchObject({ amountToman: 1_000n, depositId: 'D0', sourceCard: null });
    expect(lines[1]).toMatchObject({ amountToman: 2_001n, depositId: null, sourceCard: '603799******5278' });
    expect(Math.abs(lines[0]!.at.getTime() - base)).toBeLessThan(1000);
    // The CODE token came from the configured refresh token, and the rotated one was handed to the store.
    expect(sim.tokenRequests()['refresh:CODE']).toBe(1);
    expect(saved).toHaveLength(1);
  });

  it('a window only returns its lines; debits are negative (a transfer shows on the statement)', async () => {
    const { sim, client } = await setup({ seedLines: 30 });
    const before = new Date();
    await client.transferTo(transfer('wd-stmt-1', 50_000n));
    sim.appendCredit({ kind: 'paya', amountToman: 7_000n, depositId: 'X1' });
    const page = await client.statement({
      depositNumber: D.deposit,
      from: new Date(before.getTime() - 1000),
      to: new Date(Date.now() + 1000),
      cursor: null,
    });
    expect(page.next).toBeNull();
    expect(page.lines.map((l) => l.amountToman)).toEqual([-50_000n, 7_000n]);
  });

  it('the statement token is refreshed again after expiry, from the rotated refresh token', async () => {
    const { sim, client, saved } = await setup({ seedLines: 5 });
    const q = { depositNumber: D.deposit, from: new Date(Date.now() - 20 * 86_400_000), to: new Date(), cursor: null };
    expect((await client.statement(q)).lines).toHaveLength(5);
    sim.expireTokens();
    expect((await client.statement(q)).lines).toHaveLength(5);
    expect(sim.tokenRequests()['refresh:CODE']).toBe(2);
    expect(saved).toHaveLength(2);
  });
});

describe('FinnoTech client ↔ simulator: transfers', () => {
  it('transferTo is DONE with a refCode; the same trackId again is the same transfer, not a second one', async () => {
    const { sim, client } = await setup();
    const first = await client.transferTo(transfer('wd-0001'));
    expect(first).toMatchObject({ trackId: 'wd-0001', state: 'DONE' });
    expect(first.refCode).toBeTruthy();
    const again = await client.transferTo(transfer('wd-0001'));
    expect(again).toMatchObject({ state: 'DONE', refCode: first.refCode });
    expect(sim.transfers()).toHaveLength(1);
    expect(sim.transfers()[0]).toMatchObject({ amount: 10_000_000, destinationIban: DEST, requests: 2 });
    expect(await client.transferInquiry('wd-0001')).toMatchObject({ state: 'DONE', refCode: first.refCode });
  });

  it('a 408 after the bank performed the transfer answers UNKNOWN; inquiry resolves it to DONE', async () => {
    const { sim, client } = await setup();
    sim.injectTransfer({ mode: 'timeout-after-transfer' });
    expect(await client.transferTo(transfer('wd-408'))).toMatchObject({ state: 'UNKNOWN', refCode: null });
    expect(sim.transfers()).toHaveLength(1);
    expect(await client.transferInquiry('wd-408')).toMatchObject({ state: 'DONE' });
  });

  it('a transfer that never answers times out as UNKNOWN (never resent)', async () => {
    const { sim, client } = await setup({}, { transferTimeoutMs: 300 });
    sim.injectTransfer({ mode: 'hang-after-transfer' });
    expect(await client.transferTo(transfer('wd-hang'))).toMatchObject({ state: 'UNKNOWN' });
    expect(sim.transfers()).toHaveLength(1);
    expect(sim.transfers()[0]!.requests).toBe(1);
  });

  it('PENDING then DONE through inquiry; FAILED moves nothing; an unknown trackId is notFound', async () => {
    const { sim, client } = await setup();
    sim.injectTransfer({ mode: 'pending-then-done', pendingInquiries: 2 });
    expect(await client.transferTo(transfer('wd-pend'))).toMatchObject({ state: 'PENDING' });
    expect(await client.transferInquiry('wd-pend')).toMatchObject({ state: 'PENDING' });
    expect(await client.transferInquiry('wd-pend')).toMatchObject({ state: 'PENDING' });
    expect(await client.transferInquiry('wd-pend')).toMatchObject({ state: 'DONE' });

    sim.injectTransfer({ mode: 'failed' });
    expect(await client.transferTo(transfer('wd-fail'))).toMatchObject({ state: 'FAILED', refCode: null });
    expect(await client.transferInquiry('wd-fail')).toMatchObject({ state: 'FAILED' });
    expect(await client.transferInquiry('wd-none')).toMatchObject({ state: 'UNKNOWN', notFound: true });
  });

  it('refuses locally what FinnoTech would refuse (Paya limits, names, paymentNumber) without a call', async () => {
    const { sim, client } = await setup();
    await expect(client.transferTo(transfer('wd-big', 50_000_001n))).rejects.toThrow(/Paya/);
    await expect(client.transferTo({ ...transfer('wd-pn'), paymentNumber: 'abc' })).rejects.toThrow(/paymentNumber/);
    await expect(client.transferTo({ ...transfer('x'.repeat(41)) })).rejects.toThrow(/trackId/);
    expect(sim.transfers()).toHaveLength(0);
  });

  it('a refused token endpoint (wrong secret) is an auth error, not UNKNOWN', async () => {
    const { sim } = await setup();
    const bad = createFinnotechBanking({
      baseUrl: sim.url,
      clientId: D.clientId,
      clientSecret: 'wrong',
      nid: D.nid,
      sourceDeposit: D.deposit,
      resilience: FAST_RESILIENCE,
    });
    await expect(bad.transferTo(transfer('wd-auth'))).rejects.toMatchObject({ name: 'FinnotechAuthError' });
    expect(sim.transfers()).toHaveLength(0);
  });

  it('goes through HTTPS_PROXY when given proxyUrl (token, reads and transfers)', async () => {
    const proxy = track(await startConnectProxy());
    const { sim, client } = await setup({}, { proxyUrl: proxy.url });
    await client.cardHolder(SEED_CARDS[0]!.card);
    expect(await client.transferTo(transfer('wd-proxy'))).toMatchObject({ state: 'DONE' });
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    expect(proxy.tunnels.every((t) => t === new URL(sim.url).host)).toBe(true);
  });
});
