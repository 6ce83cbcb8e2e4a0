import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fromTehranJalali, toTehranJalali } from '../../providers/finnotech/jalali.js';
import { FINNOTECH_CC_SCOPES, FINNOTECH_STATEMENT_SCOPE } from '../../providers/finnotech/finnotech.wire.js';
import {
  createFailureSwitch,
  type FailureMode,
  type FailureSpec,
  type ProviderSimulator,
} from '../http/simulator.failures.js';
import { readRequestBody, sendJson, startSimulatorServer } from '../http/simulator.server.js';
import { SEED_CARDS, SEED_IBANS, type SeedCard, type SeedIban } from './fixtures.js';

/**
 * FinnoTech simulator speaking the wire format of providers/finnotech (see its README):
 * - `POST /dev/v2/oauth2/token` (Basic client_id:client_secret; JSON): `client_credentials` with `nid` and
 *   comma-separated `scopes` (each must be granted to the client), `refresh_token` with `token_type`
 *   CLIENT-CREDENTIAL or CODE (+ `bank`); refresh tokens rotate; answers `{result: {value, scopes, lifeTime,
 *   creationDate, refreshToken}, status: "DONE"}`;
 * - every service: `Authorization: Bearer` (401 `invalid token` when unknown/expired, 403 without the scope),
 *   `trackId` (≤ 40 letters/digits/-, never reused: a repeated one is refused) and the envelope
 *   `{trackId, result, status: DONE|FAILED, error}`;
 * - `GET /mpg/v2/clients/{clientId}/cards/{card}`, `GET /facility/v2/clients/{clientId}/cardToIban?version=2&card=`,
 *   `GET /oak/v2/clients/{clientId}/ibanInquiry?iban=` from the seeded set plus registered cards/IBANs;
 * - `GET /oak/v2/clients/{clientId}/deposits/{deposit}/statement?fromDate&toDate&fromTime&toTime&lastRecordNumber`
 *   (CODE token): up to `pageSize` lines (default 100) per page, `transactionChain` M when more follow;
 * - `POST /oak/v2/clients/{clientId}/cc/transferTo?trackId=` (Paya to an IBAN): exactly one transfer per trackId (a
 *   repeated trackId answers the same transfer), the transfer is a debit line on the statement;
 * - `GET /oak/v2/clients/{clientId}/transferInquiry?inquiryTrackId=` the transfer's state (404 NOT_FOUND when none).
 * Failure injection for transfers (`injectTransfer`): `timeout-after-transfer` (performs it, answers 408),
 * `hang-after-transfer` (performs it, never answers), `pending-then-done` (PENDING, inquiry PENDING for
 * `pendingInquiries` then DONE), `failed` (FAILED, nothing moves). Test control: `GET /_devnet/transfers`,
 * `POST /_devnet/cards`, `POST /_devnet/ibans`, `POST /_devnet/credits`, `POST /_devnet/transfer-failure`,
 * `POST /_devnet/failure`, `POST /_devnet/expire-tokens`.
 */
export interface FinnotechSimulatorOptions {
  port?: number;
  clientId?: string;
  clientSecret?: string;
  /** Scopes the client may ask for a client-credentials token. Default FINNOTECH_CC_SCOPES. */
  grantedScopes?: readonly string[];
  /** The platform's deposit: its statement, the source of transfers. */
  deposit?: string;
  bank?: string;
  /** The statement's refresh token (CODE), as obtained through the authorize page. */
  statementRefreshToken?: string;
  /** Token lifetime in ms. Default 864,000,000 (FinnoTech's documented example: 10 days). */
  tokenLifeTimeMs?: number;
  /** Statement lines per page. Default 100 (FinnoTech's page). */
  pageSize?: number;
  /** Historical lines seeded into the statement (debits and credits over the last days). Default 150. */
  seedLines?: number;
  failMode?: FailureMode | FailureSpec | null;
}

export const FINNOTECH_SIMULATOR_DEFAULTS = {
  clientId: 'devnet-exchange',
  clientSecret: 'devnet-finnotech-secret',
  nid: '0012345678',
  deposit: '0302876214008',
  bank: '062',
  statementRefreshToken: 'devnet-finnotech-statement-refresh-token',
} as const;

export type TransferFailureMode = 'timeout-after-transfer' | 'hang-after-transfer' | 'pending-then-done' | 'failed';

export interface SimulatedTransfer {
  trackId: string;
  /** Rial. */
  amount: number;
  destinationIban: string;
  destinationFirstname: string;
  destinationLastname: string;
  description: string;
  paymentNumber: string;
  deposit: string;
  state: 'DONE' | 'PENDING' | 'FAILED';
  refCode: string | null;
  /** Inquiries left answering PENDING (pending-then-done). */
  pendingInquiries: number;
  requests: number;
  at: string;
}

export interface SimulatedCredit {
  /** Card-to-card (source card masked on the statement) or Paya/IBAN with the payer's deposit id. */
  kind: 'card' | 'paya';
  amountToman: bigint;
  sourceCard?: string;
  depositId?: string;
  payerName?: string;
  at?: Date;
}

export interface StatementEntry {
  recordNumber: string;
  /** Rial, positive credit, negative debit. */
  amount: bigint;
  at: Date;
  refKey: string;
  description: string;
  kind: 'card' | 'paya' | 'transfer' | 'other';
  sourcePan: string | null;
  payId: string | null;
  name: string | null;
}

export interface FinnotechSimulator extends ProviderSimulator {
  readonly deposit: string;
  registerCard(card: SeedCard): void;
  registerIban(iban: SeedIban): void;
  /** Appends an incoming credit to the platform's statement; returns its line. */
  appendCredit(credit: SimulatedCredit): StatementEntry;
  statementLines(): readonly StatementEntry[];
  transfers(): readonly SimulatedTransfer[];
  injectTransfer(spec: { mode: TransferFailureMode; times?: number; pendingInquiries?: number } | null): void;
  /** Every issued access token stops working (the client must refresh). */
  expireTokens(): void;
  /** Token endpoint calls so far, by grant. */
  tokenRequests(): Readonly<Record<string, number>>;
  /** trackIds received so far (all services). */
  trackIds(): readonly string[];
}

interface Token {
  type: 'CLIENT-CREDENTIAL' | 'CODE';
  scopes: string[];
  expiresAt: number;
}

const TRACK = /^[A-Za-z0-9-]{1,40}$/;
const pad16 = (n: bigint) => (n < 0n ? -n : n).toString().padStart(16, '0');
const mask = (card: string) => (card.length === 16 ? `${card.slice(0, 6)}******${card.slice(12)}` : card);
const token = () => randomBytes(24).toString('base64url');

export async function startFinnotechSimulator(options: FinnotechSimulatorOptions = {}): Promise<FinnotechSimulator> {
  const clientId = options.clientId ?? FINNOTECH_SIMULATOR_DEFAULTS.clientId;
  const secret = options.clientSecret ?? FINNOTECH_SIMULATOR_DEFAULTS.clientSecret;
  const granted = new Set(options.grantedScopes ?? FINNOTECH_CC_SCOPES);
  const deposit = options.deposit ?? FINNOTECH_SIMULATOR_DEFAULTS.deposit;
  const bank = options.bank ?? FINNOTECH_SIMULATOR_DEFAULTS.bank;
  const lifeTime = options.tokenLifeTimeMs ?? 864_000_000;
  const pageSize = options.pageSize ?? 100;
  const failures = createFailureSwitch(options.failMode ?? null);

  const cards = new Map(SEED_CARDS.map((c) => [c.card, c]));
  const ibans = new Map(SEED_IBANS.map((i) => [i.iban, i]));
  const tokens = new Map<string, Token>();
  const ccRefresh = new Set<string>();
  let codeRefresh = options.statementRefreshToken ?? FINNOTECH_SIMULATOR_DEFAULTS.statementRefreshToken;
  const transfers = new Map<string, SimulatedTransfer>();
  const entries: StatementEntry[] = [];
  const seen = new Set<string>();
  const seenList: string[] = [];
  const tokenCounts: Record<string, number> = {};
  let transferFailure: { mode: TransferFailureMode; remaining: number; pendingInquiries: number } | null = null;
  let requests = 0;
  let record = 1;
  let ref = 1;

  const addEntry = (e: Omit<StatementEntry, 'recordNumber' | 'refKey'> & { refKey?: string }): StatementEntry => {
    const entry: StatementEntry = {
      ...e,
      recordNumber: String(record++).padStart(8, '0'),
      refKey: e.refKey ?? `${toTehranJalali(e.at).date}${toTehranJalali(e.at).time}KZ${String(ref++).padStart(6, '0')}`,
    };
    entries.push(entry);
    entries.sort((a, b) => a.at.getTime() - b.at.getTime() || a.recordNumber.localeCompare(b.recordNumber));
    return entry;
  };

  // Seed a history: salary-like credits, card-to-card credits and fees/debits over the last ten days.
  const start = Date.now() - 10 * 86_400_000;
  for (let i = 0; i < (options.seedLines ?? 150); i += 1) {
    const at = new Date(start + i * 3_600_000 + 17_000);
    const kind = i % 3 === 0 ? 'other' : i % 3 === 1 ? 'card' : 'paya';
    const amount = BigInt(((i * 7919) % 500) + 10) * 10_000n;
    addEntry({
      at,
      amount: kind === 'other' ? -amount : amount,
      description: kind === 'other' ? 'کارمزد خدمات' : kind === 'card' ? 'انتقال کارت به کارت' : 'واریز پایا',
      kind,
      sourcePan: kind === 'card' ? mask(SEED_CARDS[i % SEED_CARDS.length]!.card) : null,
      payId: kind === 'paya' ? `SEED${String(i).padStart(6, '0')}` : null,
      name: kind === 'other' ? null : SEED_CARDS[i % SEED_CARDS.length]!.name,
    });
  }

  const envelope = (
    res: ServerResponse,
    http: number,
    trackId: string | null,
    status: string,
    result?: unknown,
    error?: { code: string; message: string },
  ) =>
    sendJson(res, http, { trackId, ...(result === undefined ? {} : { result }), status, ...(error ? { error } : {}) });
  const failed = (res: ServerResponse, http: number, trackId: string | null, code: string, message: string) =>
    envelope(res, http, trackId, 'FAILED', undefined, { code, message });

  const readJson = async (req: IncomingMessage): Promise<Record<string, unknown> | null> => {
    try {
      const parsed: unknown = JSON.parse(await readRequestBody(req));
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : null;
    } catch {
      return null;
    }
  };

  const issue = (type: Token['type'], scopes: string[]) => {
    const value = token();
    const refreshToken = token();
    tokens.set(value, { type, scopes, expiresAt: Date.now() + lifeTime });
    const now = toTehranJalali(new Date());
    return { value, scopes, lifeTime, creationDate: `${now.date}${now.time}`, refreshToken };
  };

  const tokenEndpoint = async (req: IncomingMessage, res: ServerResponse) => {
    const auth = req.headers.authorization ?? '';
    const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
    if (decoded !== `${clientId}:${secret}`)
      return failed(res, 401, null, 'UNAUTHORIZED', 'invalid client credentials');
    const body = await readJson(req);
    if (!body) return failed(res, 400, null, 'VALIDATION_ERROR', 'invalid body');
    const grant = String(body.grant_type ?? '');
    const kind = grant === 'refresh_token' ? `refresh:${String(body.token_type)}` : grant;
    tokenCounts[kind] = (tokenCounts[kind] ?? 0) + 1;
    if (grant === 'client_credentials') {
      const asked = String(body.scopes ?? '')
        .split(',')
        .filter(Boolean);
      if (!/^\d{10}$/.test(String(body.nid ?? ''))) return failed(res, 400, null, 'VALIDATION_ERROR', 'nid is invalid');
      if (asked.length === 0 || asked.some((s) => !granted.has(s)))
        return failed(res, 403, null, 'FORBIDDEN', 'scope is not granted to this client');
      const t = issue('CLIENT-CREDENTIAL', asked);
      ccRefresh.add(t.refreshToken);
      return envelope(res, 200, null, 'DONE', t);
    }
    if (grant === 'refresh_token' && body.token_type === 'CLIENT-CREDENTIAL') {
      const rt = String(body.refresh_token ?? '');
      if (!ccRefresh.delete(rt)) return failed(res, 400, null, 'VALIDATION_ERROR', 'invalid refresh token');
      const t = issue('CLIENT-CREDENTIAL', [...granted]);
      ccRefresh.add(t.refreshToken);
      return envelope(res, 200, null, 'DONE', t);
    }
    if (grant === 'refresh_token' && body.token_type === 'CODE') {
      if (body.bank !== bank) return failed(res, 400, null, 'VALIDATION_ERROR', 'bank is invalid');
      if (body.refresh_token !== codeRefresh)
        return failed(res, 400, null, 'VALIDATION_ERROR', 'invalid refresh token');
      const t = issue('CODE', [FINNOTECH_STATEMENT_SCOPE]);
      codeRefresh = t.refreshToken;
      return envelope(res, 200, null, 'DONE', {
        ...t,
        type: 'CODE',
        bank,
        deposits: [deposit],
        clientId,
        userId: FINNOTECH_SIMULATOR_DEFAULTS.nid,
      });
    }
    return failed(res, 400, null, 'VALIDATION_ERROR', 'grant_type is invalid');
  };

  /** Bearer + scope + trackId checks; returns the trackId or null when it answered. */
  const guard = (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    scope: string,
    trackParam = 'trackId',
  ): string | null => {
    const trackId = url.searchParams.get(trackParam) ?? '';
    const auth = req.headers.authorization ?? '';
    const t = auth.startsWith('Bearer ') ? tokens.get(auth.slice(7)) : undefined;
    if (!t || t.expiresAt <= Date.now()) {
      failed(res, 401, trackId || null, 'VALIDATION_ERROR', 'invalid token');
      return null;
    }
    if (!t.scopes.includes(scope)) {
      failed(res, 403, trackId || null, 'FORBIDDEN', 'token has not the scope');
      return null;
    }
    if (!TRACK.test(trackId)) {
      failed(res, 400, null, 'VALIDATION_ERROR', 'trackId is invalid');
      return null;
    }
    return trackId;
  };

  /** Reads refuse a trackId already used (FinnoTech: never send the same trackId twice). */
  const fresh = (res: ServerResponse, trackId: string): boolean => {
    seenList.push(trackId);
    if (seen.has(trackId)) {
      failed(res, 400, trackId, 'VALIDATION_ERROR', 'trackId is duplicate');
      return false;
    }
    seen.add(trackId);
    return true;
  };

  const renderLine = (e: StatementEntry, balance: bigint) => {
    const j = toTehranJalali(e.at);
    const credit = e.amount > 0n ? e.amount : 0n;
    const debit = e.amount < 0n ? -e.amount : 0n;
    return {
      operationCode: { code: e.kind === 'card' ? '735' : e.kind === 'other' ? '440' : '722', message: e.description },
      recordNumber: e.recordNumber,
      chequeNo: '',
      balance: pad16(balance),
      balanceSign: balance < 0n ? 'D' : 'C',
      optionalInformation30: `${e.description} ${e.name ?? ''}`.trim(),
      optionalInformation15: e.payId ?? '',
      transactionDescription: e.description,
      transactionAmountCredit: pad16(credit),
      transactionAmountDebit: pad16(debit),
      branchNo: '8000',
      date: j.date.slice(2),
      fullDate: j.date,
      time: j.time,
      originKey: e.refKey.slice(2),
      rawOriginKey: e.refKey,
      userID: 'KRZFINTS',
      source: '02',
      transactionClass: e.kind === 'card' ? 'CARD' : e.kind === 'paya' || e.kind === 'transfer' ? 'IBAN' : null,
      ibanInformationMap:
        e.kind === 'paya' || e.kind === 'transfer'
          ? {
              branchCode: '',
              bankCode: '',
              transactionClass: 'IBAN',
              name: e.name ?? '',
              payId: e.payId ?? '',
              transactionTypeCode: '61',
              referenceId: e.refKey,
            }
          : null,
      cardInformationMap:
        e.kind === 'card'
          ? {
              transactionClass: 'CARD',
              sourcePan: e.sourcePan ?? '',
              destinationPan: '',
              referenceNo: e.refKey,
              trace: e.recordNumber,
              name: e.name ?? '',
              payId: '',
            }
          : null,
      ledgerInformationMap: null,
      refCode: '',
    };
  };

  const statement = (res: ServerResponse, url: URL, trackId: string) => {
    const q = url.searchParams;
    const fromDate = q.get('fromDate');
    const toDate = q.get('toDate');
    if (fromDate && !toDate) return failed(res, 400, trackId, 'VALIDATION_ERROR', 'toDate is required with fromDate');
    let from: Date;
    let to: Date;
    try {
      from = fromDate ? fromTehranJalali(fromDate, q.get('fromTime') ?? '000000') : new Date(0);
      to = toDate ? fromTehranJalali(toDate, q.get('toTime') ?? '235959') : new Date(8.64e15);
    } catch {
      return failed(res, 400, trackId, 'VALIDATION_ERROR', 'date is invalid');
    }
    if (fromDate && toDate && to.getTime() - from.getTime() > 32 * 86_400_000)
      return failed(res, 400, trackId, 'VALIDATION_ERROR', 'period is more than 31 days');
    const after = q.get('lastRecordNumber');
    // Seconds granularity, as the wire carries (HHMMSS): a line is in the window if its second is.
    const inWindow = entries.filter((e) => {
      const s = Math.floor(e.at.getTime() / 1000) * 1000;
      return s >= from.getTime() && s <= to.getTime();
    });
    const startAt = after ? inWindow.findIndex((e) => e.recordNumber === after) + 1 : 0;
    if (after && startAt === 0) return failed(res, 400, trackId, 'VALIDATION_ERROR', 'lastRecordNumber is invalid');
    const page = inWindow.slice(startAt, startAt + pageSize);
    let balance = 0n;
    const balances = new Map<string, bigint>();
    for (const e of entries) {
      balance += e.amount;
      balances.set(e.recordNumber, balance);
    }
    const more = startAt + pageSize < inWindow.length;
    return envelope(res, 200, trackId, 'DONE', {
      iban: 'IR000620000000302876214008',
      branchCode: '0240',
      accountCurrentBalance: pad16(balance),
      transactions: page.map((e) => renderLine(e, balances.get(e.recordNumber)!)),
      lastRecordNumber: page.at(-1)?.recordNumber ?? after ?? '',
      customerName: 'صرافی',
      customerFamilyName: 'دیجیتال',
      currentBalance: pad16(balance),
      currentBalanceSign: balance < 0n ? 'D' : 'C',
      transactionChain: more ? 'M' : 'L',
    });
  };

  const transferBody = (t: SimulatedTransfer) => {
    const now = toTehranJalali(new Date(t.at));
    return {
      amount: t.amount,
      description: t.description,
      destinationFirstname: t.destinationFirstname,
      destinationLastname: t.destinationLastname,
      destinationNumber: t.destinationIban,
      inquiryDate: now.date.slice(2),
      inquiryTime: now.time,
      inquirySequence: String(t.requests),
      message: ' ',
      paymentNumber: t.paymentNumber,
      refCode: t.refCode,
      sourceFirstname: 'صرافی',
      sourceLastname: 'دیجیتال',
      sourceNumber: t.deposit,
      type: 'paya',
      reasonDescription: '',
    };
  };

  const transferTo = async (req: IncomingMessage, res: ServerResponse, trackId: string) => {
    const existing = transfers.get(trackId);
    if (existing) {
      // One transfer per trackId: a repeat answers the same transfer, never a second one.
      existing.requests += 1;
      if (existing.state === 'FAILED') return failed(res, 400, trackId, 'SERVICE_CALL_ERROR', 'transaction failed');
      return envelope(res, 200, trackId, existing.state, transferBody(existing));
    }
    const body = await readJson(req);
    if (!body) return failed(res, 400, trackId, 'VALIDATION_ERROR', 'invalid body');
    const amount = Number(body.amount);
    const dest = String(body.destinationNumber ?? '');
    const first = String(body.destinationFirstname ?? '');
    const last = String(body.destinationLastname ?? '');
    const description = String(body.description ?? '');
    if (!Number.isSafeInteger(amount) || amount <= 0)
      return failed(res, 400, trackId, 'VALIDATION_ERROR', 'amount is invalid');
    if (amount < 10_000) return failed(res, 400, trackId, 'SERVICE_CALL_ERROR', 'Minimum amount is 10000 Rials. ');
    if (amount > 500_000_000)
      return failed(res, 400, trackId, 'VALIDATION_ERROR', 'Max amount per transaction limitation exceeded');
    if (!/^IR\d{24}$/.test(dest)) return failed(res, 400, trackId, 'VALIDATION_ERROR', 'destinationNumber is invalid');
    if (first.length < 2 || first.length > 30 || last.length < 2 || last.length > 30)
      return failed(res, 400, trackId, 'VALIDATION_ERROR', 'destination name is invalid');
    if (!description || description.length > 30 || /--/.test(description))
      return failed(res, 400, trackId, 'VALIDATION_ERROR', 'description is invalid');
    if (body.deposit !== deposit) return failed(res, 400, trackId, 'VALIDATION_ERROR', 'deposit is not whitelisted');
    if (dest.endsWith(deposit))
      return failed(res, 400, trackId, 'VALIDATION_ERROR', 'Source And destination accounts are the same!');

    const failure = transferFailure && transferFailure.remaining > 0 ? transferFailure : null;
    if (failure) {
      failure.remaining -= 1;
      if (failure.remaining <= 0) transferFailure = null;
    }
    const t: SimulatedTransfer = {
      trackId,
      amount,
      destinationIban: dest,
      destinationFirstname: first,
      destinationLastname: last,
      description,
      paymentNumber: String(body.paymentNumber ?? ''),
      deposit,
      state: failure?.mode === 'failed' ? 'FAILED' : failure?.mode === 'pending-then-done' ? 'PENDING' : 'DONE',
      refCode:
        failure?.mode === 'failed' ? null : `14${String(Date.now()).slice(-10)}${String(ref++).padStart(4, '0')}`,
      pendingInquiries: failure?.mode === 'pending-then-done' ? failure.pendingInquiries : 0,
      requests: 1,
      at: new Date().toISOString(),
    };
    transfers.set(trackId, t);
    if (t.state !== 'FAILED')
      addEntry({
        at: new Date(),
        amount: -BigInt(amount),
        description: 'انتقال پایا',
        kind: 'transfer',
        sourcePan: null,
        payId: t.paymentNumber,
        name: `${first} ${last}`,
      });
    switch (failure?.mode) {
      case 'timeout-after-transfer':
        return failed(res, 408, trackId, 'TIMEOUT', 'request timeout');
      case 'hang-after-transfer':
        return; // never answers
      case 'failed':
        return failed(res, 400, trackId, 'SERVICE_CALL_ERROR', 'transaction failed by the bank');
      default:
        return envelope(res, 200, trackId, t.state, transferBody(t));
    }
  };

  const transferInquiry = (res: ServerResponse, url: URL, trackId: string) => {
    const target = url.searchParams.get('inquiryTrackId') ?? '';
    const t = transfers.get(target);
    if (!t) return failed(res, 404, trackId, 'NOT_FOUND', 'transaction not found');
    if (t.state === 'PENDING') {
      if (t.pendingInquiries > 0) t.pendingInquiries -= 1;
      else t.state = 'DONE';
    }
    return envelope(res, 200, trackId, 'DONE', { ...transferBody(t), status: t.state });
  };

  const base = `/clients/${clientId}`;
  const handler = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname.replace(/\/+$/, '');
    // --- test control (never failure-injected)
    if (path === '/_devnet/transfers' && req.method === 'GET')
      return sendJson(res, 200, { transfers: [...transfers.values()] });
    if (path === '/_devnet/cards' && req.method === 'POST') {
      const b = (await readJson(req)) as unknown as SeedCard | null;
      if (!b?.card || !b.name || !b.iban) return sendJson(res, 400, { error: 'card, name, iban required' });
      sim.registerCard({ card: b.card, name: b.name, iban: b.iban, bankName: b.bankName ?? 'بانک ملی ایران' });
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/_devnet/ibans' && req.method === 'POST') {
      const b = (await readJson(req)) as unknown as SeedIban | null;
      if (!b?.iban || !Array.isArray(b.owners)) return sendJson(res, 400, { error: 'iban, owners required' });
      sim.registerIban({
        iban: b.iban,
        owners: b.owners,
        bankName: b.bankName ?? 'بانک ملی ایران',
        depositStatus: b.depositStatus ?? '02',
      });
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/_devnet/credits' && req.method === 'POST') {
      const b = (await readJson(req)) ?? {};
      const kind = b.kind === 'card' ? 'card' : 'paya';
      const line = sim.appendCredit({
        kind,
        amountToman: BigInt(String(b.amountToman ?? '0')),
        ...(typeof b.sourceCard === 'string' ? { sourceCard: b.sourceCard } : {}),
        ...(typeof b.depositId === 'string' ? { depositId: b.depositId } : {}),
        ...(typeof b.payerName === 'string' ? { payerName: b.payerName } : {}),
        ...(typeof b.at === 'string' ? { at: new Date(b.at) } : {}),
      });
      return sendJson(res, 200, { recordNumber: line.recordNumber, refKey: line.refKey });
    }
    if (path === '/_devnet/transfer-failure' && req.method === 'POST') {
      const b = (await readJson(req)) ?? {};
      sim.injectTransfer(
        b.mode ? (b as unknown as { mode: TransferFailureMode; times?: number; pendingInquiries?: number }) : null,
      );
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/_devnet/failure' && req.method === 'POST') {
      const b = (await readJson(req)) ?? {};
      failures.set(b.mode ? (b as unknown as FailureSpec) : null);
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/_devnet/expire-tokens' && req.method === 'POST') {
      sim.expireTokens();
      return sendJson(res, 200, { ok: true });
    }

    requests += 1;
    const failure = failures.take();
    if (failure) {
      switch (failure.mode) {
        case 'hang':
          return;
        case 'rate-limit':
          return sendJson(
            res,
            429,
            { status: 'FAILED', error: { code: 'TOO_MANY_REQUESTS', message: 'rate limited' } },
            { 'retry-after': String(failure.retryAfterSeconds ?? 1) },
          );
        case 'server-error':
          return sendJson(res, 500, { status: 'FAILED', error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
        case 'malformed-json':
          return sendJson(res, 200, '{"trackId":"x","result":{');
      }
    }

    if (path === '/dev/v2/oauth2/token' && req.method === 'POST') return tokenEndpoint(req, res);

    let m: RegExpExecArray | null;
    if (req.method === 'GET' && (m = new RegExp(`^/mpg/v2${base}/cards/(\\d+)$`).exec(path))) {
      const trackId = guard(req, res, url, 'card:information:get');
      if (!trackId || !fresh(res, trackId)) return;
      const c = cards.get(m[1]!);
      const now = toTehranJalali(new Date());
      const doTime = `${now.date.slice(0, 4)}/${now.date.slice(4, 6)}/${now.date.slice(6)} ${now.time.slice(0, 2)}:${now.time.slice(2, 4)}:${now.time.slice(4)}`;
      if (!c)
        return envelope(res, 200, trackId, 'DONE', {
          destCard: `xxxx-xxxx-xxxx-${m[1]!.slice(-4)}`,
          name: '',
          result: '14',
          description: 'شماره کارت نامعتبر است',
          doTime,
        });
      return envelope(res, 200, trackId, 'DONE', {
        destCard: `xxxx-xxxx-xxxx-${c.card.slice(-4)}`,
        name: c.name,
        result: '0',
        description: 'موفق',
        doTime,
        bankName: c.bankName,
      });
    }
    if (req.method === 'GET' && path === `/facility/v2${base}/cardToIban`) {
      const trackId = guard(req, res, url, 'facility:card-to-iban:get');
      if (!trackId || !fresh(res, trackId)) return;
      if (url.searchParams.get('version') !== '2')
        return failed(res, 400, trackId, 'VALIDATION_ERROR', 'version is invalid');
      const c = cards.get(url.searchParams.get('card') ?? '');
      if (!c) return failed(res, 400, trackId, 'VALIDATION_ERROR', 'card is invalid');
      return envelope(res, 200, trackId, 'DONE', {
        IBAN: c.iban,
        bankName: c.bankName,
        deposit: c.iban.slice(-13),
        card: c.card,
        depositStatus: '02',
        depositOwners: c.name,
      });
    }
    if (req.method === 'GET' && path === `/oak/v2${base}/ibanInquiry`) {
      const trackId = guard(req, res, url, 'oak:iban-inquiry:get');
      if (!trackId || !fresh(res, trackId)) return;
      const i = ibans.get(url.searchParams.get('iban') ?? '');
      if (!i) return failed(res, 400, trackId, 'VALIDATION_ERROR', 'iban is invalid');
      const names = i.owners.map((o) => `${o.firstName} ${o.lastName}`).join('، ');
      return envelope(res, 200, trackId, 'DONE', {
        IBAN: i.iban,
        bankName: i.bankName,
        deposit: i.iban.slice(-13),
        depositDescription: i.depositStatus === '02' ? 'حساب فعال است' : 'حساب مسدود است',
        depositComment: `سپرده حقيقي ${names}`,
        depositOwners: i.owners,
        depositStatus: i.depositStatus,
        errorDescription: 'بدون خطا',
      });
    }
    if (req.method === 'GET' && (m = new RegExp(`^/oak/v2${base}/deposits/([^/]+)/statement$`).exec(path))) {
      const trackId = guard(req, res, url, FINNOTECH_STATEMENT_SCOPE);
      if (!trackId || !fresh(res, trackId)) return;
      if (decodeURIComponent(m[1]!) !== deposit)
        return failed(res, 403, trackId, 'FORBIDDEN', 'deposit is not granted');
      return statement(res, url, trackId);
    }
    if (req.method === 'POST' && path === `/oak/v2${base}/cc/transferTo`) {
      const trackId = guard(req, res, url, 'oak:cc-transfer-to:execute');
      if (!trackId) return;
      seenList.push(trackId);
      seen.add(trackId);
      return transferTo(req, res, trackId);
    }
    if (req.method === 'GET' && path === `/oak/v2${base}/transferInquiry`) {
      const trackId = guard(req, res, url, 'oak:transfer-inquiry:get');
      if (!trackId || !fresh(res, trackId)) return;
      return transferInquiry(res, url, trackId);
    }
    return failed(res, 404, url.searchParams.get('trackId'), 'NOT_FOUND', 'Not Found');
  };

  const server = await startSimulatorServer(handler, options.port === undefined ? {} : { port: options.port });
  const sim: FinnotechSimulator = {
    url: server.url,
    deposit,
    close: () => server.close(),
    setFailure: (spec) => failures.set(spec),
    requestCount: () => requests,
    registerCard: (c) => {
      cards.set(c.card, c);
    },
    registerIban: (i) => {
      ibans.set(i.iban, i);
    },
    appendCredit: (c) =>
      addEntry({
        at: c.at ?? new Date(),
        amount: c.amountToman * 10n,
        description: c.kind === 'card' ? 'انتقال کارت به کارت' : 'واریز پایا',
        kind: c.kind,
        sourcePan: c.kind === 'card' && c.sourceCard ? mask(c.sourceCard) : null,
        payId: c.depositId ?? null,
        name: c.payerName ?? null,
      }),
    statementLines: () => [...entries],
    transfers: () => [...transfers.values()],
    injectTransfer: (spec) => {
      transferFailure = spec
        ? { mode: spec.mode, remaining: spec.times ?? 1, pendingInquiries: spec.pendingInquiries ?? 1 }
        : null;
    },
    expireTokens: () => {
      for (const t of tokens.values()) t.expiresAt = 0;
    },
    tokenRequests: () => ({ ...tokenCounts }),
    trackIds: () => [...seenList],
  };
  return sim;
}
