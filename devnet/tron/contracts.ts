import type { RawContract, RawData } from './tron-raw-data.js';
import { Refusal, enc, type ChainTx, type State, type TronFees, type TronToken } from './state.js';

/**
 * Contract execution of the emulated TRON chain: `TransferContract` (TRX, account creation fee) and
 * `TriggerSmartContract` calls of a registered TRC20 token's `transfer(address,uint256)` (energy paid in TRX up to
 * fee_limit; a failing call is mined as REVERT or OUT_OF_ENERGY, not refused). Both run against a `State` the caller
 * owns (the live one at broadcast, a rolled-back copy on reorg replay).
 */

export const TRANSFER_SELECTOR = 'a9059cbb';
/** What a unit of energy costs when burned (the chain parameter getEnergyFee), sun. */
export const ENERGY_PRICE_SUN = 100n;
/** Bandwidth price once the free bandwidth is spent (getTransactionFee), sun per byte. */
export const BANDWIDTH_PRICE_SUN = 1_000n;

/** What contract execution needs from the chain. */
export interface ContractContext {
  readonly fees: TronFees;
  readonly tokens: ReadonlyMap<string, TronToken>;
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The fields every transaction record carries. */
export function baseTx(
  raw: RawData,
  rawBytes: Uint8Array,
  txid: string,
  signatures: string[],
): Omit<ChainTx, 'contractRet' | 'fee' | 'netFee' | 'energyFee' | 'energyUsage' | 'trc20' | 'resMessage'> {
  return { txID: txid, raw, rawHex: enc(rawBytes), signatures: signatures.map((s) => s.toLowerCase()) };
}

/** A TRX transfer: refused when invalid or unaffordable; creates the destination account (for a fee). */
export function executeTransfer(
  ctx: ContractContext,
  raw: RawData,
  rawBytes: Uint8Array,
  txid: string,
  signatures: string[],
  c: Extract<RawContract, { type: 'TransferContract' }>,
  owner: string,
  ownerBalance: bigint,
  state: State,
): ChainTx {
  const to = enc(c.to);
  if (c.to.length !== 21 || c.to[0] !== 0x41) throw new Refusal('CONTRACT_VALIDATE_ERROR', 'Invalid toAddress!');
  if (to === owner) throw new Refusal('CONTRACT_VALIDATE_ERROR', 'Cannot transfer TRX to yourself.');
  if (c.amount <= 0n) throw new Refusal('CONTRACT_VALIDATE_ERROR', 'Amount must be greater than 0.');
  const creates = !state.trx.has(to);
  const fee = creates ? ctx.fees.newAccountSun : 0n;
  if (ownerBalance < c.amount + fee) {
    throw new Refusal('CONTRACT_VALIDATE_ERROR', `Validate TransferContract error, balance is not sufficient.`);
  }
  state.trx.set(owner, ownerBalance - c.amount - fee);
  state.trx.set(to, (state.trx.get(to) ?? 0n) + c.amount);
  if (creates) state.created.set(to, ctx.now());
  return {
    ...baseTx(raw, rawBytes, txid, signatures),
    contractRet: 'SUCCESS',
    fee,
    netFee: fee,
    energyFee: 0n,
    energyUsage: 0n,
    trc20: null,
    resMessage: null,
  };
}

/** A TRC20 `transfer` call. */
export function executeTrc20Call(
  ctx: ContractContext,
  raw: RawData,
  rawBytes: Uint8Array,
  txid: string,
  signatures: string[],
  c: Extract<RawContract, { type: 'TriggerSmartContract' }>,
  owner: string,
  ownerBalance: bigint,
  state: State,
): ChainTx {
  const tokenHex = enc(c.contract);
  const token = ctx.tokens.get(tokenHex);
  if (!token) throw new Refusal('CONTRACT_VALIDATE_ERROR', 'No contract or not a smart contract');
  if (c.callTokenValue !== 0n || c.tokenId !== 0n)
    throw new Refusal('CONTRACT_VALIDATE_ERROR', 'TRC10 call values are not supported by the simulator');
  if (c.callValue > ownerBalance)
    throw new Refusal('CONTRACT_VALIDATE_ERROR', 'Validate TriggerSmartContract error, balance is not sufficient.');
  if (raw.feeLimit <= 0n) throw new Refusal('CONTRACT_VALIDATE_ERROR', 'feeLimit must be > 0');
  const base = baseTx(raw, rawBytes, txid, signatures);
  const energyUsage = ctx.fees.trc20Sun / ENERGY_PRICE_SUN;
  // Energy is paid from TRX up to fee_limit; running out is an on-chain failure, not a refusal.
  const affordable = ownerBalance < raw.feeLimit ? ownerBalance : raw.feeLimit;
  if (affordable < ctx.fees.trc20Sun) {
    state.trx.set(owner, ownerBalance - affordable);
    return {
      ...base,
      contractRet: 'OUT_OF_ENERGY',
      fee: affordable,
      netFee: 0n,
      energyFee: affordable,
      energyUsage: affordable / ENERGY_PRICE_SUN,
      trc20: null,
      resMessage: 'Not enough energy',
    };
  }
  const fee = ctx.fees.trc20Sun;
  state.trx.set(owner, ownerBalance - fee);
  const revert = (reason: string): ChainTx => ({
    ...base,
    contractRet: 'REVERT',
    fee,
    netFee: 0n,
    energyFee: fee,
    energyUsage,
    trc20: null,
    resMessage: reason,
  });
  const data = enc(c.data);
  if (c.callValue !== 0n) return revert('REVERT opcode executed: transfer is not payable');
  if (data.length !== 8 + 128 || !data.startsWith(TRANSFER_SELECTOR))
    return revert('REVERT opcode executed: unknown function');
  const toWord = data.slice(8, 72);
  if (!toWord.startsWith('0'.repeat(24))) return revert('REVERT opcode executed: bad address argument');
  const to = '41' + toWord.slice(24);
  const value = BigInt('0x' + data.slice(72));
  const holders = state.tokens.get(tokenHex)!;
  const fromBalance = holders.get(owner) ?? 0n;
  if (fromBalance < value) return revert('REVERT opcode executed: transfer amount exceeds balance');
  holders.set(owner, fromBalance - value);
  holders.set(to, (holders.get(to) ?? 0n) + value);
  return {
    ...base,
    contractRet: 'SUCCESS',
    fee,
    netFee: 0n,
    energyFee: fee,
    energyUsage,
    trc20: { token: tokenHex, from: owner, to, value },
    resMessage: null,
  };
}
