import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeTronAddress, encodeTronAddress } from '../../../../chains/address.js';
import { deriveAddress } from '../derivation.js';
import { mnemonicToSeed } from '../mnemonic.js';
import { buildTronTransaction, recoverTronSigner, signTronTransfer, TronSignRequestError } from './tron.signer.js';

const ABOUT = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const USDT_TRC20 = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';
const REF_BLOCK = { number: 66_123_456n, hash: '0000000003f0fdc0c5c7a1f4a0b7f1d7b4f0a9a3c2e1d0f9e8d7c6b5a4938271' };

let seed: Uint8Array;
beforeAll(async () => {
  seed = await mnemonicToSeed(ABOUT);
});

/** The `T…` form of a 0x41-prefixed hex address. */
function t(hexAddress: string): string {
  return encodeTronAddress(hex.decode(hexAddress).subarray(1));
}

describe('TRON raw_data protobuf', () => {
  it('reproduces the TRON developer docs TransferContract example byte for byte (txID 77ddfa70…)', () => {
    // docs: wallet/broadcasttransaction example: amount 1000, ref_block_bytes 5e4b, ref_block_hash 47c9dc89341b300d.
    const blockHash = '00000000000000' + '00' + '47c9dc89341b300d' + '00'.repeat(16);
    const unsigned = buildTronTransaction(t('41608f8da72479edc7dd921e4c30bb7e7cddbe722e'), {
      refBlock: { number: 0x5e4b, hash: blockHash },
      timestamp: 1591089567635,
      expiration: 1591089627000,
      transfer: { asset: 'native', to: t('41e9d79cc47518930bc322d9bf7cddd260a0260a8d'), amount: 1000n },
    });
    expect(unsigned.raw_data_hex).toBe(
      '0a025e4b220847c9dc89341b300d40f8fed3a2a72e5a66080112620a2d747970652e676f6f676c65617069732e636f6d2f70726f746f636f6c2e5472616e73666572436f6e747261637412310a1541608f8da72479edc7dd921e4c30bb7e7cddbe722e121541e9d79cc47518930bc322d9bf7cddd260a0260a8d18e8077093afd0a2a72e',
    );
    expect(unsigned.txID).toBe('77ddfa7093cc5f745c0d3a54abb89ef070f983343c05e0f89e5a52f3e5401299');
    expect(unsigned.raw_data).toEqual({
      contract: [
        {
          parameter: {
            value: {
              amount: 1000,
              owner_address: '41608f8da72479edc7dd921e4c30bb7e7cddbe722e',
              to_address: '41e9d79cc47518930bc322d9bf7cddd260a0260a8d',
            },
            type_url: 'type.googleapis.com/protocol.TransferContract',
          },
          type: 'TransferContract',
        },
      ],
      ref_block_bytes: '5e4b',
      ref_block_hash: '47c9dc89341b300d',
      expiration: 1591089627000,
      timestamp: 1591089567635,
    });
  });

  it('encodes a TRC20 transfer as TriggerSmartContract with fee_limit and ABI transfer(address,uint256)', () => {
    const owner = deriveAddress(seed, 'TRON', 0);
    const to = deriveAddress(seed, 'TRON', 1);
    const unsigned = buildTronTransaction(owner, {
      refBlock: REF_BLOCK,
      timestamp: 1_700_000_000_000,
      transfer: { asset: 'token', contract: USDT_TRC20, to, amount: 12_345_678n, feeLimit: 30_000_000n },
    });
    const { raw_data: raw } = unsigned;
    expect(raw.ref_block_bytes).toBe(hex.encode(hex.decode(66_123_456n.toString(16).padStart(16, '0')).slice(6, 8)));
    expect(raw.ref_block_hash).toBe(REF_BLOCK.hash.slice(16, 32));
    expect(raw.expiration).toBe(1_700_000_060_000);
    expect(raw.fee_limit).toBe(30_000_000);
    const contract = raw.contract[0];
    expect(contract.type).toBe('TriggerSmartContract');
    expect(contract.parameter.type_url).toBe('type.googleapis.com/protocol.TriggerSmartContract');
    const value = contract.parameter.value as { data: string; owner_address: string; contract_address: string };
    expect(value.owner_address).toBe(hex.encode(decodeTronAddress(owner)));
    expect(value.contract_address).toBe('41a614f803b6fd780986a42c78ec9c7f77e6ded13c');
    expect(value.data).toBe(
      'a9059cbb' +
        hex.encode(decodeTronAddress(to).subarray(1)).padStart(64, '0') +
        (12_345_678).toString(16).padStart(64, '0'),
    );
    // fee_limit is field 18 (varint): tag 0x90 0x01, then 30 000 000 as the varint 80 87 a7 0e, at the very end.
    expect(unsigned.raw_data_hex.endsWith('9001' + '8087a70e')).toBe(true);
    // the TriggerSmartContract enum value 31 (0x1f) follows the contract field tag.
    expect(unsigned.raw_data_hex).toContain('081f12');
    expect(unsigned.txID).toBe(hex.encode(sha256(hex.decode(unsigned.raw_data_hex))));
  });

  it('refuses bad requests', () => {
    const owner = deriveAddress(seed, 'TRON', 0);
    const base = { refBlock: REF_BLOCK, timestamp: 1_700_000_000_000 };
    const bad = [
      { ...base, transfer: { asset: 'native' as const, to: 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdJ', amount: 1n } },
      { ...base, transfer: { asset: 'native' as const, to: owner, amount: 0n } },
      { ...base, transfer: { asset: 'native' as const, to: owner, amount: 2n ** 53n } },
      {
        ...base,
        expiration: base.timestamp + 25 * 3600 * 1000,
        transfer: { asset: 'native' as const, to: owner, amount: 1n },
      },
      { ...base, expiration: base.timestamp, transfer: { asset: 'native' as const, to: owner, amount: 1n } },
      { ...base, refBlock: { number: 1, hash: 'abcd' }, transfer: { asset: 'native' as const, to: owner, amount: 1n } },
      { ...base, transfer: { asset: 'token' as const, contract: USDT_TRC20, to: owner, amount: 1n, feeLimit: 0n } },
    ];
    for (const req of bad) expect(() => buildTronTransaction(owner, req)).toThrow(TronSignRequestError);
  });
});

describe('signTronTransfer', () => {
  it.each([
    ['TRX', { asset: 'native' as const, to: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', amount: 1_500_000n }],
    [
      'TRC20',
      {
        asset: 'token' as const,
        contract: USDT_TRC20,
        to: 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH',
        amount: 10_000_000n,
        feeLimit: 50_000_000n,
      },
    ],
  ])('%s: signature recovers to the wallet address and txID = sha256(raw_data_hex)', async (_name, transfer) => {
    for (const index of [0, 5]) {
      const signed = await signTronTransfer(seed, {
        index,
        refBlock: REF_BLOCK,
        timestamp: 1_700_000_000_000,
        transfer,
      });
      const wallet = deriveAddress(seed, 'TRON', index);
      expect(signed.from).toBe(wallet);
      expect(signed.txID).toBe(hex.encode(sha256(hex.decode(signed.raw_data_hex))));
      expect(signed.signature).toHaveLength(1);
      expect(signed.signature[0]).toMatch(/^[0-9a-f]{128}(1b|1c)$/u);
      expect(recoverTronSigner(signed.txID, signed.signature[0]!)).toBe(wallet);
      // the same signature with a raw 0/1 recovery byte (the other form java-tron accepts) recovers too
      const v = parseInt(signed.signature[0]!.slice(128), 16) - 27;
      expect(recoverTronSigner(signed.txID, signed.signature[0]!.slice(0, 128) + `0${v}`)).toBe(wallet);
      // and it does not verify for another transaction
      expect(recoverTronSigner(hex.encode(sha256(new Uint8Array([1]))), signed.signature[0]!)).not.toBe(wallet);
      // the broadcast JSON is plain JSON
      expect(JSON.parse(JSON.stringify(signed))).toEqual(signed);
    }
  });

  it('prints no key material', async () => {
    const signed = await signTronTransfer(seed, {
      index: 0,
      refBlock: REF_BLOCK,
      transfer: { asset: 'native', to: USDT_TRC20, amount: 1n },
    });
    const out = JSON.stringify(signed);
    expect(out).not.toContain('abandon');
    expect(out).not.toContain(hex.encode(seed).slice(0, 16));
  });
});
