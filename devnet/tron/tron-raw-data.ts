import { hex } from '@scure/base';

/**
 * The simulator's own encoder of `Transaction.raw` (java-tron `protocol/core/Tron.proto`) from the JSON a client
 * broadcasts, as java-tron does before it checks signatures: fields in field-number order, proto3 defaults
 * omitted. Written independently of the custody signer so each checks the other.
 *
 *   raw { ref_block_bytes = 1; ref_block_num = 3; ref_block_hash = 4; expiration = 8; data = 10;
 *         repeated Contract contract = 11; timestamp = 14; fee_limit = 18 }
 *   Contract { ContractType type = 1; google.protobuf.Any parameter = 2; int32 Permission_id = 5 }
 *   Any { string type_url = 1; bytes value = 2 }
 *   TransferContract { owner_address = 1; to_address = 2; int64 amount = 3 }                 (type 1)
 *   TriggerSmartContract { owner_address = 1; contract_address = 2; int64 call_value = 3; bytes data = 4;
 *                          int64 call_token_value = 5; int64 token_id = 6 }                    (type 31)
 */

export type RawContract =
  | {
      type: 'TransferContract';
      typeUrl: string;
      owner: Uint8Array;
      to: Uint8Array;
      amount: bigint;
      permissionId: number;
    }
  | {
      type: 'TriggerSmartContract';
      typeUrl: string;
      owner: Uint8Array;
      contract: Uint8Array;
      callValue: bigint;
      data: Uint8Array;
      callTokenValue: bigint;
      tokenId: bigint;
      permissionId: number;
    };

export interface RawData {
  refBlockBytes: Uint8Array;
  refBlockNum: bigint;
  refBlockHash: Uint8Array;
  expiration: bigint;
  data: Uint8Array;
  contract: RawContract;
  timestamp: bigint;
  feeLimit: bigint;
}

export const CONTRACT_TYPE_IDS = { TransferContract: 1, TriggerSmartContract: 31 } as const;

const INT64_MAX = (1n << 63n) - 1n;

class Writer {
  readonly #bytes: number[] = [];

  #varint(value: bigint): void {
    let v = value;
    while (v > 0x7fn) {
      this.#bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.#bytes.push(Number(v));
  }

  int(field: number, value: bigint): this {
    if (value < 0n || value > INT64_MAX) throw new RangeError(`protobuf field ${field}: ${value} is outside [0, 2^63)`);
    if (value === 0n) return this;
    this.#varint(BigInt(field << 3));
    this.#varint(value);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    if (value.length === 0) return this;
    this.#varint(BigInt((field << 3) | 2));
    this.#varint(BigInt(value.length));
    for (const b of value) this.#bytes.push(b);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}

function encodeParameter(contract: RawContract): Uint8Array {
  if (contract.type === 'TransferContract') {
    return new Writer().bytes(1, contract.owner).bytes(2, contract.to).int(3, contract.amount).finish();
  }
  return new Writer()
    .bytes(1, contract.owner)
    .bytes(2, contract.contract)
    .int(3, contract.callValue)
    .bytes(4, contract.data)
    .int(5, contract.callTokenValue)
    .int(6, contract.tokenId)
    .finish();
}

export function encodeRawData(raw: RawData): Uint8Array {
  const any = new Writer()
    .bytes(1, new TextEncoder().encode(raw.contract.typeUrl))
    .bytes(2, encodeParameter(raw.contract))
    .finish();
  const contract = new Writer()
    .int(1, BigInt(CONTRACT_TYPE_IDS[raw.contract.type]))
    .bytes(2, any)
    .int(5, BigInt(raw.contract.permissionId))
    .finish();
  return new Writer()
    .bytes(1, raw.refBlockBytes)
    .int(3, raw.refBlockNum)
    .bytes(4, raw.refBlockHash)
    .int(8, raw.expiration)
    .bytes(10, raw.data)
    .bytes(11, contract)
    .int(14, raw.timestamp)
    .int(18, raw.feeLimit)
    .finish();
}

/** The JSON (visible = false) of a raw_data, as a node renders it: defaults omitted. */
export function rawDataToJson(raw: RawData): Record<string, unknown> {
  const c = raw.contract;
  const value: Record<string, unknown> =
    c.type === 'TransferContract'
      ? { amount: c.amount, owner_address: hex.encode(c.owner), to_address: hex.encode(c.to) }
      : {
          data: hex.encode(c.data),
          owner_address: hex.encode(c.owner),
          contract_address: hex.encode(c.contract),
          ...(c.callValue > 0n ? { call_value: c.callValue } : {}),
        };
  if (c.type === 'TransferContract' && c.amount === 0n) delete value.amount;
  return {
    contract: [
      {
        parameter: { value, type_url: c.typeUrl },
        type: c.type,
        ...(c.permissionId > 0 ? { Permission_id: c.permissionId } : {}),
      },
    ],
    ref_block_bytes: hex.encode(raw.refBlockBytes),
    ...(raw.refBlockNum > 0n ? { ref_block_num: raw.refBlockNum } : {}),
    ref_block_hash: hex.encode(raw.refBlockHash),
    expiration: raw.expiration,
    ...(raw.data.length > 0 ? { data: hex.encode(raw.data) } : {}),
    ...(raw.timestamp > 0n ? { timestamp: raw.timestamp } : {}),
    ...(raw.feeLimit > 0n ? { fee_limit: raw.feeLimit } : {}),
  };
}
