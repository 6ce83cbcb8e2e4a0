import { beginCell, Cell, contractAddress, type StateInit } from '@ton/core';

/**
 * Wallet contract v4R2 as deployed by Trust Wallet, Tonkeeper and @ton/ton's WalletContractV4.
 * Code cell hash feb5ff6820e2ff0d9483e7e0d62c817d846789fb4ae580c878866d959dabd5c0 (asserted in tests).
 */
const WALLET_V4R2_CODE_BOC =
  'te6ccgECFAEAAtQAART/APSkE/S88sgLAQIBIAIDAgFIBAUE+PKDCNcYINMf0x/THwL4I7vyZO1E0NMf0x/T//QE0VFDuvKhUVG68qIF+QFUEGT5EPKj+AAkpMjLH1JAyx9SMMv/UhD0AMntVPgPAdMHIcAAn2xRkyDXSpbTB9QC+wDoMOAhwAHjACHAAuMAAcADkTDjDQOkyMsfEssfy/8QERITAubQAdDTAyFxsJJfBOAi10nBIJJfBOAC0x8hghBwbHVnvSKCEGRzdHK9sJJfBeAD+kAwIPpEAcjKB8v/ydDtRNCBAUDXIfQEMFyBAQj0Cm+hMbOSXwfgBdM/yCWCEHBsdWe6kjgw4w0DghBkc3RyupJfBuMNBgcCASAICQB4AfoA9AQw+CdvIjBQCqEhvvLgUIIQcGx1Z4MesXCAGFAEywUmzxZY+gIZ9ADLaRfLH1Jgyz8gyYBA+wAGAIpQBIEBCPRZMO1E0IEBQNcgyAHPFvQAye1UAXKwjiOCEGRzdHKDHrFwgBhQBcsFUAPPFiP6AhPLassfyz/JgED7AJJfA+ICASAKCwBZvSQrb2omhAgKBrkPoCGEcNQICEekk30pkQzmkD6f+YN4EoAbeBAUiYcVnzGEAgFYDA0AEbjJftRNDXCx+AA9sp37UTQgQFA1yH0BDACyMoHy//J0AGBAQj0Cm+hMYAIBIA4PABmtznaiaEAga5Drhf/AABmvHfaiaEAQa5DrhY/AAG7SB/oA1NQi+QAFyMoHFcv/ydB3dIAYyMsFywIizxZQBfoCFMtrEszMyXP7AMhAFIEBCPRR8qcCAHCBAQjXGPoA0z/IVCBHgQEI9FHyp4IQbm90ZXB0gBjIywXLAlAGzxZQBPoCFMtqEssfyz/Jc/sAAgBsgQEI1xj6ANM/MFIkgQEI9Fnyp4IQZHN0cnB0gBjIywXLAlAFzxZQA/oCE8tqyx8Syz/Jc/sAAAr0AMntVA==';

export const WALLET_V4R2_CODE: Cell = Cell.fromBase64(WALLET_V4R2_CODE_BOC);

/** Wallets live in the basechain. */
export const TON_WALLET_WORKCHAIN = 0;

/** Default subwallet id of v4R2 wallets: 698983191 + workchain (0x29a9a317). */
export const TON_WALLET_V4R2_SUBWALLET_ID = 698_983_191;

/** Initial data: seqno = 0, subwallet id, 256-bit ed25519 public key, empty plugin dict. */
export function walletV4R2StateInit(publicKey: Uint8Array): StateInit {
  if (publicKey.length !== 32) throw new RangeError('ed25519 public key must be 32 bytes');
  const data = beginCell()
    .storeUint(0, 32)
    .storeUint(TON_WALLET_V4R2_SUBWALLET_ID, 32)
    .storeBuffer(Buffer.from(publicKey))
    .storeBit(0)
    .endCell();
  return { code: WALLET_V4R2_CODE, data };
}

/** The wallet's account id: the representation hash of its StateInit, in workchain 0. */
export function walletV4R2AccountHash(publicKey: Uint8Array): Uint8Array {
  return new Uint8Array(contractAddress(TON_WALLET_WORKCHAIN, walletV4R2StateInit(publicKey)).hash);
}
