/**
 * A TRON transaction in the JSON form every java-tron node (and TronGrid) takes and returns: what the
 * custody signer builds and the TronGrid client broadcasts.
 */
type TransferValueJson = { amount: number; owner_address: string; to_address: string };
type TriggerValueJson = { data: string; owner_address: string; contract_address: string };

export interface TronRawDataJson {
  contract: [
    | { parameter: { value: TransferValueJson; type_url: string }; type: 'TransferContract' }
    | { parameter: { value: TriggerValueJson; type_url: string }; type: 'TriggerSmartContract' },
  ];
  ref_block_bytes: string;
  ref_block_hash: string;
  expiration: number;
  timestamp: number;
  fee_limit?: number;
}

/** What TronGrid's /wallet/broadcasttransaction accepts (hex addresses, visible = false). */
export interface TronBroadcastTransaction {
  visible: false;
  txID: string;
  raw_data: TronRawDataJson;
  raw_data_hex: string;
  signature: string[];
}

export type UnsignedTronTransaction = Omit<TronBroadcastTransaction, 'signature'>;
