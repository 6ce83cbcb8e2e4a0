import { ed25519 } from '@noble/curves/ed25519.js';
import { hex } from '@scure/base';
import { Address, beginCell, Cell, contractAddress, storeStateInit } from '@ton/core';
import { deriveEd25519Path } from '@ton/crypto';
import { computeAddress, HDNodeWallet, Mnemonic } from 'ethers';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeTronAddress } from '../../../chains/address.js';
import {
  derivationPath,
  deriveAddress,
  derivePublicKey,
  InvalidCustodyIndexError,
  rootFingerprint,
  withPrivateKey,
} from './derivation.js';
import { mnemonicToSeed } from './mnemonic.js';
import { NETWORKS } from '../../../chains/network.js';
import { slip10Ed25519PrivateKey } from './slip10.js';
import { TON_WALLET_V4R2_SUBWALLET_ID, WALLET_V4R2_CODE, walletV4R2StateInit } from '../../../chains/ton-wallet.js';

const ABOUT = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
/** Trust Wallet wallet-core test mnemonic for TON (tests/chains/TheOpenNetwork/TWAnyAddressTests.cpp). */
const TRUST_TON_MNEMONIC = 'stuff diamond cycle federal scan spread pigeon people engage teach snack grain';

let seed: Uint8Array;
beforeAll(async () => {
  seed = await mnemonicToSeed(ABOUT);
});

describe('derivationPath', () => {
  it('follows the brief per network', () => {
    expect(derivationPath('ETH', 0)).toBe("m/44'/60'/0'/0/0");
    expect(derivationPath('BSC', 7)).toBe("m/44'/60'/0'/0/7");
    expect(derivationPath('TRON', 3)).toBe("m/44'/195'/0'/0/3");
    expect(derivationPath('TON', 5)).toBe("m/44'/607'/5'");
    expect(derivationPath('TON', 2 ** 31 - 1)).toBe("m/44'/607'/2147483647'");
  });

  it('refuses indexes outside [0, 2^31)', () => {
    for (const bad of [-1, 1.5, 2 ** 31, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => derivationPath('TON', bad)).toThrow(InvalidCustodyIndexError);
      expect(() => deriveAddress(seed, 'ETH', bad)).toThrow(InvalidCustodyIndexError);
    }
  });
});

describe('known addresses of "abandon … about", index 0', () => {
  it('ETH and BSC: 0x9858EfFD232B4033E47d90003D41EC34EcaEda94', () => {
    expect(deriveAddress(seed, 'ETH', 0)).toBe('0x9858EfFD232B4033E47d90003D41EC34EcaEda94');
    expect(deriveAddress(seed, 'BSC', 0)).toBe('0x9858EfFD232B4033E47d90003D41EC34EcaEda94');
  });

  it('TRON: TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH', () => {
    expect(deriveAddress(seed, 'TRON', 0)).toBe('TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH');
  });

  it('TON: Trust Wallet v4R2 UQAzWZa6nM5mJev91wGc7VCSfBoIsYRqKJpV78N8Add9-RKY', () => {
    expect(hex.encode(derivePublicKey(seed, 'TON', 0))).toBe(
      '7952e94118f34607c75e23258dd9220d66ccac5a3ee074125c25068e8107bfbf',
    );
    expect(deriveAddress(seed, 'TON', 0)).toBe('UQAzWZa6nM5mJev91wGc7VCSfBoIsYRqKJpV78N8Add9-RKY');
  });
});

describe('ETH/BSC/TRON cross-checked against ethers HDNodeWallet', () => {
  it.each([0, 1, 2, 19, 1000])('index %i', (index) => {
    const mnemonic = Mnemonic.fromPhrase(ABOUT);
    const eth = HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${index}`);
    expect(deriveAddress(seed, 'ETH', index)).toBe(eth.address);
    const tron = HDNodeWallet.fromMnemonic(mnemonic, `m/44'/195'/0'/0/${index}`);
    // TRON is the same secp256k1 account id as EVM, under coin type 195 and a 0x41 prefix.
    const tronAccount = hex.decode(computeAddress(tron.publicKey).toLowerCase().slice(2));
    expect(deriveAddress(seed, 'TRON', index)).toBe(encodeTronAddress(tronAccount));
    expect(hex.encode(derivePublicKey(seed, 'TRON', index))).toBe(tron.publicKey.slice(2));
  });
});

describe('TON: SLIP-0010 ed25519 and wallet v4R2', () => {
  it('SLIP-0010 matches the spec vectors and @ton/crypto deriveEd25519Path', async () => {
    const specSeed = hex.decode('000102030405060708090a0b0c0d0e0f');
    expect(hex.encode(slip10Ed25519PrivateKey(specSeed, [0]))).toBe(
      '68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3',
    );
    expect(hex.encode(slip10Ed25519PrivateKey(specSeed, [0, 1, 2, 2, 1_000_000_000]))).toBe(
      '8f94d394a8e8fd6b1bc2f3f49f5c47e385281d5c17e65324b0f62483e37e8793',
    );
    for (const index of [0, 1, 42]) {
      const ours = slip10Ed25519PrivateKey(seed, [44, 607, index]);
      const theirs = await deriveEd25519Path(Buffer.from(seed), [44, 607, index]);
      expect(hex.encode(ours)).toBe(theirs.toString('hex'));
    }
  });

  it('uses the canonical v4R2 code (hash feb5ff68…) and subwallet 698983191', () => {
    expect(WALLET_V4R2_CODE.hash().toString('hex')).toBe(
      'feb5ff6820e2ff0d9483e7e0d62c817d846789fb4ae580c878866d959dabd5c0',
    );
    expect(TON_WALLET_V4R2_SUBWALLET_ID).toBe(0x29a9a317);
  });

  it('builds the same StateInit as Trust Wallet (wallet-core TWTONWalletTests CreateV4R2StateInit)', () => {
    const publicKey = hex.decode('f229a9371fa7c2108b3d90ea22c9be705ff5d0cfeaee9cbb9366ff0171579357');
    const expected = Cell.fromBase64(
      'te6cckECFgEAAwQAAgE0AQIBFP8A9KQT9LzyyAsDAFEAAAAAKamjF/IpqTcfp8IQiz2Q6iLJvnBf9dDP6u6cu5Nm/wFxV5NXQAIBIAQFAgFIBgcE+PKDCNcYINMf0x/THwL4I7vyZO1E0NMf0x/T//QE0VFDuvKhUVG68qIF+QFUEGT5EPKj+AAkpMjLH1JAyx9SMMv/UhD0AMntVPgPAdMHIcAAn2xRkyDXSpbTB9QC+wDoMOAhwAHjACHAAuMAAcADkTDjDQOkyMsfEssfy/8ICQoLAubQAdDTAyFxsJJfBOAi10nBIJJfBOAC0x8hghBwbHVnvSKCEGRzdHK9sJJfBeAD+kAwIPpEAcjKB8v/ydDtRNCBAUDXIfQEMFyBAQj0Cm+hMbOSXwfgBdM/yCWCEHBsdWe6kjgw4w0DghBkc3RyupJfBuMNDA0CASAODwBu0gf6ANTUIvkABcjKBxXL/8nQd3SAGMjLBcsCIs8WUAX6AhTLaxLMzMlz+wDIQBSBAQj0UfKnAgBwgQEI1xj6ANM/yFQgR4EBCPRR8qeCEG5vdGVwdIAYyMsFywJQBs8WUAT6AhTLahLLH8s/yXP7AAIAbIEBCNcY+gDTPzBSJIEBCPRZ8qeCEGRzdHJwdIAYyMsFywJQBc8WUAP6AhPLassfEss/yXP7AAAK9ADJ7VQAeAH6APQEMPgnbyIwUAqhIb7y4FCCEHBsdWeDHrFwgBhQBMsFJs8WWPoCGfQAy2kXyx9SYMs/IMmAQPsABgCKUASBAQj0WTDtRNCBAUDXIMgBzxb0AMntVAFysI4jghBkc3Rygx6xcIAYUAXLBVADzxYj+gITy2rLH8s/yYBA+wCSXwPiAgEgEBEAWb0kK29qJoQICga5D6AhhHDUCAhHpJN9KZEM5pA+n/mDeBKAG3gQFImHFZ8xhAIBWBITABG4yX7UTQ1wsfgAPbKd+1E0IEBQNch9AQwAsjKB8v/ydABgQEI9ApvoTGACASAUFQAZrc52omhAIGuQ64X/wAAZrx32omhAEGuQ64WPwEXtMkg=',
    );
    const ours = beginCell()
      .store(storeStateInit(walletV4R2StateInit(publicKey)))
      .endCell();
    expect(ours.hash().toString('hex')).toBe(expected.hash().toString('hex'));
  });

  it('reproduces Trust Wallet’s published TON address (wallet-core TWAnyAddressTests)', async () => {
    const trustSeed = await mnemonicToSeed(TRUST_TON_MNEMONIC);
    const address = deriveAddress(trustSeed, 'TON', 0);
    // Trust Wallet prints the bounceable form; ours is the non-bounceable form of the same account.
    expect(Address.parse(address).toString({ bounceable: true, urlSafe: true })).toBe(
      'EQDYW_1eScJVxtitoBRksvoV9cCYo4uKGWLVNIHB1JqRR3n0',
    );
    expect(address).toBe('UQDYW_1eScJVxtitoBRksvoV9cCYo4uKGWLVNIHB1JqRRyQx');
  });

  it('agrees with @ton/core contractAddress + Address.toString for several indexes', () => {
    for (const index of [0, 1, 2, 100]) {
      const publicKey = derivePublicKey(seed, 'TON', index);
      const independent = contractAddress(0, walletV4R2StateInit(publicKey)).toString({
        bounceable: false,
        urlSafe: true,
        testOnly: false,
      });
      expect(deriveAddress(seed, 'TON', index)).toBe(independent);
      expect(independent.startsWith('UQ')).toBe(true);
    }
  });
});

describe('withPrivateKey', () => {
  it('hands over a working key and zeroes it after the callback', async () => {
    let seen: Uint8Array | undefined;
    const signature = await withPrivateKey(seed, 'TON', 0, ({ privateKey }) => {
      seen = privateKey;
      expect(privateKey.some((b) => b !== 0)).toBe(true);
      return ed25519.sign(new Uint8Array([1, 2, 3]), privateKey).slice();
    });
    expect(ed25519.verify(signature, new Uint8Array([1, 2, 3]), derivePublicKey(seed, 'TON', 0))).toBe(true);
    expect(seen?.every((b) => b === 0)).toBe(true);
  });

  it('zeroes the key when an async callback rejects', async () => {
    let seen: Uint8Array | undefined;
    await expect(
      withPrivateKey(seed, 'ETH', 3, async ({ privateKey }) => {
        seen = privateKey;
        await Promise.resolve();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(seen).toHaveLength(32);
    expect(seen?.every((b) => b === 0)).toBe(true);
  });

  it('refuses to hand the key back as the result', async () => {
    await expect(withPrivateKey(seed, 'TRON', 0, ({ privateKey }) => privateKey)).rejects.toThrow(
      /must not return the key/u,
    );
  });

  it('derives per network: all four keys differ and addresses are deterministic', async () => {
    const publics = await Promise.all(
      NETWORKS.map((n) => withPrivateKey(seed, n, 9, ({ publicKey }) => hex.encode(publicKey))),
    );
    expect(new Set(publics.slice(0, 2)).size).toBe(2); // TON (ed25519) vs TRON (coin 195)
    expect(publics[2]).toBe(publics[3]); // ETH and BSC share keys
    for (const n of NETWORKS) expect(deriveAddress(seed, n, 9)).toBe(deriveAddress(seed, n, 9));
  });

  it('deriveAddress output carries no key material', async () => {
    for (const network of NETWORKS) {
      const address = deriveAddress(seed, network, 0);
      const keyHex = await withPrivateKey(seed, network, 0, ({ privateKey }) => hex.encode(privateKey));
      // keyHex was copied into a string inside the callback only for this assertion.
      expect(address.toLowerCase()).not.toContain(keyHex.slice(0, 16));
      expect(address).not.toContain('abandon');
      expect(address).not.toContain(hex.encode(seed).slice(0, 16));
    }
  });
});

describe('rootFingerprint', () => {
  it('is the BIP32 master fingerprint (BIP32 test vector 1: 3442193e)', () => {
    expect(rootFingerprint(hex.decode('000102030405060708090a0b0c0d0e0f'))).toBe('3442193e');
  });

  it('is 8 hex digits, and different roots have different fingerprints', async () => {
    const a = rootFingerprint(
      await mnemonicToSeed(
        'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about',
      ),
    );
    const b = rootFingerprint(
      await mnemonicToSeed('legal winner thank year wave sausage worth useful legal winner thank yellow'),
    );
    expect(a).toMatch(/^[0-9a-f]{8}$/u);
    expect(a).not.toBe(b);
  });
});

describe('hot-wallet branch', () => {
  it('has its own documented path per network', () => {
    expect(derivationPath('ETH', 0, 'hot')).toBe("m/44'/60'/1'/0/0");
    expect(derivationPath('BSC', 3, 'hot')).toBe("m/44'/60'/1'/0/3");
    expect(derivationPath('TRON', 0, 'hot')).toBe("m/44'/195'/1'/0/0");
    expect(derivationPath('TON', 0, 'hot')).toBe("m/44'/607'/0'/1'/0'");
  });

  it('matches independent derivations and never equals a deposit address', async () => {
    const mnemonic = Mnemonic.fromPhrase(ABOUT);
    expect(deriveAddress(seed, 'ETH', 0, 'hot')).toBe(HDNodeWallet.fromMnemonic(mnemonic, "m/44'/60'/1'/0/0").address);
    const tron = HDNodeWallet.fromMnemonic(mnemonic, "m/44'/195'/1'/0/0");
    expect(deriveAddress(seed, 'TRON', 0, 'hot')).toBe(
      encodeTronAddress(hex.decode(computeAddress(tron.publicKey).toLowerCase().slice(2))),
    );
    const theirs = await deriveEd25519Path(Buffer.from(seed), [44, 607, 0, 1, 0]);
    expect(hex.encode(derivePublicKey(seed, 'TON', 0, 'hot'))).toBe(
      hex.encode(ed25519.getPublicKey(new Uint8Array(theirs))),
    );
    for (const network of NETWORKS) {
      const hot = deriveAddress(seed, network, 0, 'hot');
      for (const index of [0, 1, 2]) expect(deriveAddress(seed, network, index)).not.toBe(hot);
    }
  });
});
