import { describe, expect, it } from 'vitest';
import { ledgerProcess } from './config.js';
import {
  DEFAULT_LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD,
  DEFAULT_LEDGER_FEES,
  DEFAULT_LEDGER_LEVEL_LIMITS,
  DEFAULT_LEDGER_LIMITS,
  levelRuleFor,
  parseAdjustmentThresholds,
  parseLevelLimits,
  parseLedgerFees,
  parseLedgerLimits,
} from './ledger-rules.js';

describe('LEDGER_FEES', () => {
  it('reads fixed amounts in the asset unit and basis points, with * for the rest', () => {
    const fees = parseLedgerFees('USDT_TRON:1.5:25,ETH:0.0001:0,*:0:10');
    expect(fees.USDT_TRON).toEqual({ fixed: 1_500_000n, bps: 25 });
    expect(fees.ETH).toEqual({ fixed: 100_000_000_000_000n, bps: 0 });
    expect(fees.IRT).toEqual({ fixed: 0n, bps: 10 });
    expect(parseLedgerFees('TON:1:0').IRT).toEqual({ fixed: 0n, bps: 0 });
    expect(parseLedgerFees(DEFAULT_LEDGER_FEES).USDT_BSC).toEqual({ fixed: 0n, bps: 10 });
  });

  it('refuses unknown assets, bad amounts, bps out of range and repeats', () => {
    expect(() => parseLedgerFees('DOGE:1:0')).toThrow(/DOGE/);
    expect(() => parseLedgerFees('IRT:0.5:0')).toThrow(/IRT/); // Toman has no decimals
    expect(() => parseLedgerFees('TON:1:10001')).toThrow(/basis points/);
    expect(() => parseLedgerFees('TON:1:-1')).toThrow(/basis points/);
    expect(() => parseLedgerFees('TON:1')).toThrow(/SYMBOL:FIXED:BPS/);
    expect(() => parseLedgerFees('TON:1:0,TON:2:0')).toThrow(/twice/);
  });
});

describe('LEDGER_LIMITS', () => {
  it('reads per-transfer and daily limits, - for none', () => {
    const limits = parseLedgerLimits('TON:100:-,*:-:5');
    expect(limits.TON).toEqual({ perTransfer: 100_000_000_000n, daily: null });
    expect(limits.IRT).toEqual({ perTransfer: null, daily: 5n });
    expect(parseLedgerLimits('').TRX).toEqual({ perTransfer: null, daily: null });
    expect(parseLedgerLimits(DEFAULT_LEDGER_LIMITS).USDT_TRON).toEqual({
      perTransfer: 10_000_000_000n,
      daily: 50_000_000_000n,
    });
  });

  it('is reported by the ledger configuration with the variable name', () => {
    expect(() => ledgerProcess.load({ LEDGER_LIMITS: 'TON:abc:-', LEDGER_FEES: 'XYZ:0:0' })).toThrow(
      /LEDGER_FEES: .*XYZ[\s\S]*LEDGER_LIMITS: .*TON/,
    );
  });
});

describe('LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD', () => {
  it('reads a threshold per asset in its unit, * for the rest, - for none', () => {
    const t = parseAdjustmentThresholds('IRT:1000,TON:2.5,*:-');
    expect([t.IRT, t.TON, t.ETH]).toEqual([1000n, 2_500_000_000n, null]);
    expect(parseAdjustmentThresholds(DEFAULT_LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD).USDT_TRON).toBe(10_000_000_000n);
    expect(() => parseAdjustmentThresholds('IRT:0.5')).toThrow(/IRT/);
    expect(() => ledgerProcess.load({ LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD: 'DOGE:1' })).toThrow(
      /LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD: .*DOGE/,
    );
  });
});

describe('LEDGER_LEVEL_LIMITS', () => {
  it('reads caps per level in the reference currency minor unit, - for none', () => {
    const policy = parseLevelLimits('2:USD:10.5:-:100,1:USD:1:2:3');
    expect(policy.currency).toBe('USD');
    expect(policy.rules).toEqual([
      { level: 1, perTransaction: 100n, daily: 200n, monthly: 300n },
      { level: 2, perTransaction: 1050n, daily: null, monthly: 10_000n },
    ]);
    expect(levelRuleFor(policy, 7).level).toBe(2);
    expect(levelRuleFor(policy, 0).level).toBe(1);
    expect(parseLevelLimits('1:IRT:1000:-:-').rules[0]!.perTransaction).toBe(1000n);
    expect(parseLevelLimits(DEFAULT_LEDGER_LEVEL_LIMITS).rules.map((r) => r.perTransaction)).toEqual([
      100_000n,
      1_000_000n,
      10_000_000n,
    ]);
  });

  it('refuses mixed currencies, a missing level 1, repeats, bad amounts', () => {
    expect(() => parseLevelLimits('1:USD:1:2:3,2:IRT:1:2:3')).toThrow(/one currency/);
    expect(() => parseLevelLimits('2:USD:1:2:3')).toThrow(/level 1/);
    expect(() => parseLevelLimits('1:USD:1:2:3,1:USD:1:2:3')).toThrow(/twice/);
    expect(() => parseLevelLimits('1:EUR:1:2:3')).toThrow(/EUR/);
    expect(() => parseLevelLimits('1:IRT:1.5:2:3')).toThrow(/IRT/);
    expect(() => parseLevelLimits('1:USD:1:2')).toThrow(/LEVEL:CURRENCY/);
    expect(() => ledgerProcess.load({ LEDGER_LEVEL_LIMITS: '1:USD:x:-:-' })).toThrow(/LEDGER_LEVEL_LIMITS/);
  });
});
