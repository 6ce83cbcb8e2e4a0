/**
 * The few protobuf (proto3) wire-format pieces TRON's Transaction.raw needs, written by hand so
 * the bytes that get signed are fully under our control. Fields are emitted in field-number
 * order and proto3 defaults (0, empty bytes) are omitted, exactly as java-tron serializes them,
 * so the txID we compute equals the one the node computes from the JSON form.
 */
const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const INT64_MAX = (1n << 63n) - 1n;

function varint(value: bigint): number[] {
  if (value < 0n) throw new RangeError('negative varints are not used here');
  const out: number[] = [];
  let v = value;
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function tag(field: number, wire: number): number[] {
  return varint(BigInt((field << 3) | wire));
}

export class ProtoWriter {
  readonly #parts: number[] = [];

  /** int64/int32/enum field; a zero value is the proto3 default and is not written. */
  int64(field: number, value: bigint | number): this {
    const v = BigInt(value);
    if (v < 0n || v > INT64_MAX) throw new RangeError(`field ${field}: value out of the non-negative int64 range`);
    if (v === 0n) return this;
    this.#parts.push(...tag(field, WIRE_VARINT), ...varint(v));
    return this;
  }

  /** bytes / string / embedded message; empty is the proto3 default and is not written. */
  bytes(field: number, value: Uint8Array): this {
    if (value.length === 0) return this;
    this.#parts.push(...tag(field, WIRE_LEN), ...varint(BigInt(value.length)), ...value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.#parts);
  }
}
