import { Address, Cell, contractAddress, loadMessage, toNano, type Transaction } from '@ton/core';
import { Blockchain, type SandboxContract, type TreasuryContract } from '@ton/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeTonAddress } from '../../../../chains/address.js';
import { deriveAddress } from '../derivation.js';
import { mnemonicToSeed } from '../mnemonic.js';
import { JETTON_TRANSFER_OP, signTonTransfer, TonSignRequestError } from './ton.signer.js';

const ABOUT = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const NOW = 1_800_000_000;

let blockchain: Blockchain;
let funder: SandboxContract<TreasuryContract>;
let seed: Uint8Array;

function tonAddress(friendly: string): Address {
  const { workchain, hash } = decodeTonAddress(friendly);
  return new Address(workchain, Buffer.from(hash));
}

async function balanceOf(friendly: string): Promise<bigint> {
  return (await blockchain.getContract(tonAddress(friendly))).balance;
}

async function seqnoOf(friendly: string): Promise<number> {
  const result = await blockchain.runGetMethod(tonAddress(friendly), 'seqno');
  return Number(result.stackReader.readBigNumber());
}

/** The internal messages the wallet's transaction sent out. */
function outgoing(transactions: Transaction[], from: string) {
  const wallet = tonAddress(from);
  const tx = transactions.find((t) => t.inMessage?.info.type === 'external-in' && t.inMessage.info.dest.equals(wallet));
  if (!tx) throw new Error('no wallet transaction');
  return [...tx.outMessages.values()];
}

beforeAll(async () => {
  [blockchain, seed] = await Promise.all([Blockchain.create(), mnemonicToSeed(ABOUT)]);
  blockchain.now = NOW;
  funder = await blockchain.treasury('funder');
});

describe('TON v4R2 signer on @ton/sandbox', () => {
  it('seqno 0: the signed message deploys the wallet via StateInit and pays the recipient', async () => {
    const wallet = deriveAddress(seed, 'TON', 0);
    const recipient = deriveAddress(seed, 'TON', 1); // an uninitialised account: its balance is exactly what arrives
    await funder.send({ to: tonAddress(wallet), value: toNano('10'), bounce: false });
    expect((await blockchain.getContract(tonAddress(wallet))).accountState?.type).toBe('uninit');

    const amount = toNano('1.5');
    const signed = await signTonTransfer(seed, {
      index: 0,
      seqno: 0,
      validUntil: NOW + 60,
      transfer: { asset: 'native', to: recipient, amount },
    });
    expect(signed.from).toBe(wallet);
    const message = Cell.fromBase64(signed.boc);
    expect(message.hash().toString('hex')).toBe(signed.messageHash);

    const result = await blockchain.sendMessage(message);
    expect((await blockchain.getContract(tonAddress(wallet))).accountState?.type).toBe('active');
    expect(await seqnoOf(wallet)).toBe(1);
    expect(await balanceOf(recipient)).toBe(amount);
    const [sent] = outgoing(result.transactions, wallet);
    expect(sent?.info.type === 'internal' && sent.info.bounce).toBe(false); // UQ… destination: non-bounceable
  });

  it('seqno 1: a second transfer without StateInit, with a comment, is accepted too', async () => {
    const wallet = deriveAddress(seed, 'TON', 0);
    const recipient = deriveAddress(seed, 'TON', 1);
    const before = await balanceOf(recipient);
    const amount = toNano('0.25');
    const signed = await signTonTransfer(seed, {
      index: 0,
      seqno: 1,
      validUntil: NOW + 60,
      transfer: { asset: 'native', to: recipient, amount, comment: 'deposit 42' },
    });
    const result = await blockchain.sendMessage(Cell.fromBase64(signed.boc));
    expect(await seqnoOf(wallet)).toBe(2);
    expect((await balanceOf(recipient)) - before).toBe(amount);
    const [sent] = outgoing(result.transactions, wallet);
    const body = sent!.body.beginParse();
    expect(body.loadUint(32)).toBe(0);
    expect(body.loadStringTail()).toBe('deposit 42');
  });

  it('refuses a replayed message, an expired one, and one signed by another index', async () => {
    const wallet = deriveAddress(seed, 'TON', 0);
    const recipient = deriveAddress(seed, 'TON', 1);
    const transfer = { asset: 'native' as const, to: recipient, amount: 1n };
    const replay = await signTonTransfer(seed, { index: 0, seqno: 1, validUntil: NOW + 60, transfer });
    await expect(blockchain.sendMessage(Cell.fromBase64(replay.boc))).rejects.toThrow();
    const expired = await signTonTransfer(seed, { index: 0, seqno: 2, validUntil: NOW - 1, transfer });
    await expect(blockchain.sendMessage(Cell.fromBase64(expired.boc))).rejects.toThrow();
    // index 1's key signs for index 1's wallet: its (unfunded, undeployed) wallet cannot pay.
    const other = await signTonTransfer(seed, { index: 1, seqno: 2, validUntil: NOW + 60, transfer });
    expect(other.from).not.toBe(wallet);
    await expect(blockchain.sendMessage(Cell.fromBase64(other.boc))).rejects.toThrow();
    expect(await seqnoOf(wallet)).toBe(2);
  });

  it('jetton transfer: the wallet sends a TEP-74 transfer (op 0x0f8a7ea5) to its jetton wallet', async () => {
    const wallet = deriveAddress(seed, 'TON', 0);
    const jettonWallet = deriveAddress(seed, 'TON', 7); // stands in for the sender's jetton wallet address
    const destination = deriveAddress(seed, 'TON', 2);
    const signed = await signTonTransfer(seed, {
      index: 0,
      seqno: 2,
      validUntil: NOW + 60,
      transfer: {
        asset: 'jetton',
        jettonWallet,
        to: destination,
        amount: 5_000_000n, // 5 USDT at 6 decimals
        attachedTon: toNano('0.05'),
        forwardTonAmount: 1n,
        queryId: 77n,
        forwardComment: 'order 9',
      },
    });
    const result = await blockchain.sendMessage(Cell.fromBase64(signed.boc));
    expect(await seqnoOf(wallet)).toBe(3);
    const [sent] = outgoing(result.transactions, wallet);
    if (sent?.info.type !== 'internal') throw new Error('expected an internal message');
    expect(sent.info.dest.equals(tonAddress(jettonWallet))).toBe(true);
    expect(sent.info.value.coins).toBe(toNano('0.05'));
    expect(sent.info.bounce).toBe(true);
    const body = sent.body.beginParse();
    expect(body.loadUint(32)).toBe(JETTON_TRANSFER_OP);
    expect(body.loadUintBig(64)).toBe(77n);
    expect(body.loadCoins()).toBe(5_000_000n);
    expect(body.loadAddress().equals(tonAddress(destination))).toBe(true);
    expect(body.loadAddress().equals(tonAddress(wallet))).toBe(true); // response destination
    expect(body.loadBit()).toBe(false); // no custom payload
    expect(body.loadCoins()).toBe(1n);
    expect(body.loadBit()).toBe(true); // forward payload by reference
    const payload = body.loadRef().beginParse();
    expect(payload.loadUint(32)).toBe(0);
    expect(payload.loadStringTail()).toBe('order 9');
    // the (here uninitialised) jetton wallet bounces it, returning the TON to our wallet
    const bounced = result.transactions.some((t) => t.inMessage?.info.type === 'internal' && t.inMessage.info.bounced);
    expect(bounced).toBe(true);
  });

  it('validates requests', async () => {
    const to = deriveAddress(seed, 'TON', 1);
    const bad = [
      { index: 0, seqno: -1, validUntil: NOW, transfer: { asset: 'native' as const, to, amount: 1n } },
      { index: 0, seqno: 0, validUntil: 2 ** 32, transfer: { asset: 'native' as const, to, amount: 1n } },
      { index: 0, seqno: 0, validUntil: NOW, transfer: { asset: 'native' as const, to, amount: 0n } },
      {
        index: 0,
        seqno: 0,
        validUntil: NOW,
        transfer: { asset: 'native' as const, to: to.slice(0, -1) + 'A', amount: 1n },
      },
      {
        index: 0,
        seqno: 0,
        validUntil: NOW,
        transfer: { asset: 'native' as const, to: '0QAzWZa6nM5mJev91wGc7VCSfBoIsYRqKJpV78N8Add9-akS', amount: 1n },
      },
      { index: 0, seqno: 0, validUntil: NOW, sendMode: 256, transfer: { asset: 'native' as const, to, amount: 1n } },
      {
        index: 0,
        seqno: 0,
        validUntil: NOW,
        transfer: { asset: 'jetton' as const, jettonWallet: to, to, amount: 1n, attachedTon: 1n, forwardTonAmount: 1n },
      },
    ];
    for (const req of bad) await expect(signTonTransfer(seed, req)).rejects.toThrow(TonSignRequestError);
  });

  it('the message carries the wallet state init only at seqno 0', async () => {
    const to = deriveAddress(seed, 'TON', 1);
    const transfer = { asset: 'native' as const, to, amount: 1n };
    const signedFirst = await signTonTransfer(seed, { index: 3, seqno: 0, validUntil: NOW, transfer });
    const first = loadMessage(Cell.fromBase64(signedFirst.boc).beginParse());
    const later = loadMessage(
      Cell.fromBase64(
        (await signTonTransfer(seed, { index: 3, seqno: 1, validUntil: NOW, transfer })).boc,
      ).beginParse(),
    );
    if (first.info.type !== 'external-in') throw new Error('expected an external-in message');
    if (!first.init) throw new Error('expected a StateInit at seqno 0');
    expect(contractAddress(0, first.init).equals(tonAddress(signedFirst.from))).toBe(true);
    expect(first.info.dest.equals(tonAddress(signedFirst.from))).toBe(true);
    expect(later.init ?? null).toBeNull();
  });
});
