import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationAST, type OperationTypeNode } from 'graphql';
import type { Person, SdkWorld } from './world.js';

/** Any SDK document; `sdkCase` checks a case against its document's own generated types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDocument = TypedDocumentNode<any, any>;

/**
 * How one SDK document is run against the gateway: as whom, with which variables, what causes its first event
 * (subscriptions), which stable error code is expected instead of data (rare: prefer the happy path), and what the
 * data must show (a case may also keep ids for the next cases of its file).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface SdkCase<R = any, V = any> {
  as(world: SdkWorld): Person | null;
  variables?: (world: SdkWorld) => V | Promise<V>;
  /** Subscriptions only: what makes the gateway push the first event, run once the subscription is open. */
  cause?(world: SdkWorld): Promise<void>;
  /** The `extensions.code` the case expects instead of data. */
  expectError?: string;
  check?: (data: R, world: SdkWorld) => void | Promise<void>;
}

export interface NamedCase {
  name: string;
  kind: OperationTypeNode;
  document: AnyDocument;
  run: SdkCase;
}

/**
 * A case bound to its typed document, `sdkCase(MeDocument)({ as: … })`: variables and data are checked against the
 * document's generated types (curried, so the document fixes them before the case's literals are typed).
 */
export function sdkCase<R, V>(document: TypedDocumentNode<R, V>): (run: SdkCase<R, V>) => NamedCase {
  const operation = getOperationAST(document);
  if (!operation?.name) throw new Error('an SDK document has one named operation');
  const { name, operation: kind } = operation;
  return (run) => ({ name: name.value, kind, document, run: run as SdkCase });
}

/**
 * The cases of one operations file (`clients/sdk/operations/<file>`), run in order after `setup`: every operation
 * of the file needs exactly one case, or the documents test fails.
 */
export interface SdkCaseFile {
  file: string;
  setup?(world: SdkWorld): Promise<void>;
  cases: NamedCase[];
}
