import { hex } from '@scure/base';
import { Address } from '@ton/core';
import { getAddress } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  crc16Xmodem,
  decodeTonAddress,
  encodeTonAddress,
  encodeTronAddress,
  tonRawAddress,
  toChecksumAddress,
  validateAddress,
} from './address.js';

const TON_UQ = 'UQAzWZa6nM5mJev91wGc7VCSfBoIsYRqKJpV78N8Add9-RKY';
const TON_EQ = 'EQAzWZa6nM5mJev91wGc7VCSfBoIsYRqKJpV78N8Add9-U9d';
const TON_TESTNET = '0QAzWZa6nM5mJev91wGc7VCSfBoIsYRqKJpV78N8Add9-akS';

function expectValid(network: Parameters<typeof validateAddress>[0], address: string, normalized: string): void {
  expect(validateAddress(network, address)).toEqual({ valid: true, normalized, reason: null });
}

function expectInvalid(network: Parameters<typeof validateAddress>[0], address: string, reason: RegExp): void {
  const result = validateAddress(network, address);
  expect(result.valid).toBe(false);
  expect(result.normalized).toBeNull();
  expect(result.reason).toMatch(reason);
}

describe('validateAddress: ETH/BSC (EIP-55)', () => {
  // The examples of EIP-55 itself.
  const eip55 = [
    '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
    '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
    '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
  ];

  it.each(eip55)('accepts the EIP-55 example %s on both networks', (address) => {
    expectValid('ETH', address, address);
    expectValid('BSC', address, address);
    expect(toChecksumAddress(hex.decode(address.slice(2).toLowerCase()))).toBe(getAddress(address.toLowerCase()));
  });

  it('accepts all-lower and all-upper case and normalizes to EIP-55', () => {
    const address = eip55[0]!;
    expectValid('ETH', address.toLowerCase(), address);
    expectValid('ETH', '0x' + address.slice(2).toUpperCase(), address);
  });

  it('refuses a mixed-case address whose checksum is wrong', () => {
    const flipped = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD'; // last letter's case flipped
    expectInvalid('ETH', flipped, /EIP-55 checksum/u);
    expect(() => getAddress(flipped)).toThrow(); // ethers agrees
  });

  it('refuses wrong length, missing 0x, non-hex, the zero address and garbage', () => {
    expectInvalid('ETH', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA', /40 hexadecimal/u);
    expectInvalid('ETH', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00', /40 hexadecimal/u);
    expectInvalid('BSC', '5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', /40 hexadecimal/u);
    expectInvalid('ETH', '0xZaAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', /40 hexadecimal/u);
    expectInvalid('ETH', '0x0000000000000000000000000000000000000000', /zero address/u);
    expectInvalid('ETH', 'hello', /40 hexadecimal/u);
    expectInvalid('ETH', '', /empty/u);
    expectInvalid('ETH', ` ${eip55[0]!}`, /whitespace/u);
  });
});

describe('validateAddress: TRON (base58check)', () => {
  it('accepts real addresses unchanged', () => {
    expectValid('TRON', 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH', 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH');
    expectValid('TRON', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'); // USDT TRC20 contract
  });

  it('refuses a checksum failure', () => {
    expectInvalid('TRON', 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdJ', /checksum/u);
    expectInvalid('TRON', 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYeH', /checksum/u);
  });

  it('refuses another version byte (a Bitcoin P2PKH address is valid base58check with 0x00)', () => {
    expectInvalid('TRON', '1BoatSLRHtKNngkdXEeobR76b53LETtpyT', /0x41/u);
  });

  it('refuses wrong length, non-base58, hex form and the zero address', () => {
    expectInvalid('TRON', 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYd', /length|checksum/u);
    expectInvalid('TRON', 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdHH', /length|checksum/u);
    expectInvalid('TRON', 'T0EZSdKsoDHQMeZwihtdoBiN46zxhGWYdH', /base58/u);
    expectInvalid('TRON', '41a614f803b6fd780986a42c78ec9c7f77e6ded13c', /hex form/u);
    expectInvalid('TRON', encodeTronAddress(new Uint8Array(20)), /zero address/u);
    expectInvalid('TRON', 'not an address', /whitespace|base58/u);
  });
});

describe('validateAddress: TON (CRC16, flags, raw)', () => {
  it('accepts non-bounceable and bounceable mainnet forms, normalizing to UQ…', () => {
    expectValid('TON', TON_UQ, TON_UQ);
    expectValid('TON', TON_EQ, TON_UQ);
  });

  it('accepts the standard (non url-safe) base64 alphabet', () => {
    const standard = TON_EQ.replaceAll('-', '+').replaceAll('_', '/');
    expect(standard).not.toBe(TON_EQ);
    expectValid('TON', standard, TON_UQ);
  });

  it('accepts the raw 0:<hex> form', () => {
    const raw = Address.parse(TON_UQ).toRawString();
    expect(raw).toMatch(/^0:[0-9a-f]{64}$/u);
    expectValid('TON', raw, TON_UQ);
    expectValid('TON', raw.toUpperCase().replace('0:', '0:'), TON_UQ);
    expect(tonRawAddress(decodeTonAddress(TON_UQ))).toBe(raw);
  });

  it('refuses testnet-only addresses on mainnet', () => {
    expectInvalid('TON', TON_TESTNET, /testnet/u);
    expect(Address.parseFriendly(TON_TESTNET).isTestOnly).toBe(true); // @ton/core agrees it is flagged
  });

  it('refuses a CRC16 failure', () => {
    expectInvalid('TON', TON_UQ.slice(0, -1) + 'Z', /CRC16/u);
    expectInvalid('TON', 'UQAzWZa6nM5mJev91wGc7VCSfBoIsYRqKJpV78N8Add8-RKY', /CRC16/u);
  });

  it('refuses unknown tags, workchains, wrong length, mixed alphabets and garbage', () => {
    const bytes = Buffer.from(TON_UQ, 'base64url');
    bytes[0] = 0x22;
    const crc = crc16Xmodem(bytes.subarray(0, 34));
    bytes[34] = crc >> 8;
    bytes[35] = crc & 0xff;
    expectInvalid('TON', bytes.toString('base64url'), /tag/u);
    expectInvalid('TON', '5:' + '11'.repeat(32), /workchain/u);
    expectInvalid('TON', '0:' + '11'.repeat(31), /length/u);
    expectInvalid('TON', TON_UQ.slice(0, 47), /length/u);
    expectInvalid('TON', TON_UQ.replace('-', '+').replace('_', '/').replace('R', '-'), /alphabets|base64/u);
    expectInvalid('TON', '0:' + '00'.repeat(32), /zero/u);
    expectInvalid('TON', '!'.repeat(48), /base64/u);
  });

  it('encodes exactly like @ton/core for every flag combination', () => {
    const parts = decodeTonAddress(TON_UQ);
    const address = Address.parse(TON_UQ);
    for (const bounceable of [false, true]) {
      for (const testnet of [false, true]) {
        expect(encodeTonAddress(parts, { bounceable, testnet })).toBe(
          address.toString({ bounceable, testOnly: testnet, urlSafe: true }),
        );
      }
    }
    const master = { workchain: -1, hash: parts.hash };
    expect(encodeTonAddress(master)).toBe(new Address(-1, Buffer.from(parts.hash)).toString({ bounceable: false }));
    expectValid('TON', tonRawAddress(master), encodeTonAddress(master));
  });
});

describe('validateAddress: input hygiene', () => {
  it('never throws on hostile input', () => {
    for (const network of ['ETH', 'BSC', 'TRON', 'TON'] as const) {
      for (const input of ['', ' ', 'x'.repeat(10_000), '\u0000', '0x', 'T', '0:', '💥']) {
        expect(validateAddress(network, input).valid).toBe(false);
      }
    }
    expect(validateAddress('DOGE' as 'ETH', TON_UQ)).toEqual({
      valid: false,
      normalized: null,
      reason: 'unknown network DOGE',
    });
  });
});
