import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'lossless-json';
import { JsonNumber, parseJsonLossless } from '../providers/http/json-lossless.parser.js';
import { machine } from './harness.js';

/**
 * The provider clients' lossless JSON parser (providers/http/json-lossless.parser.ts) against the `lossless-json`
 * package doing the same job (numbers kept as their text) and `JSON.parse` (the floor), on the bodies the
 * providers answer: a CoinGecko price map, a hydrated EVM block, and a toncenter page of 1,000 entries (the
 * watcher's transaction pages are that size). Interleaved rounds, medians; both parsers must agree on every input.
 */
const fixture = (path: string) => readFileSync(new URL(`../providers/${path}`, import.meta.url), 'utf8');
const transfers = JSON.parse(fixture('toncenter/fixtures/v3.jetton-transfers.json')) as { jetton_transfers: unknown[] };
const page = JSON.stringify({
  jetton_transfers: Array.from(
    { length: 1000 },
    (_, i) => transfers.jetton_transfers[i % transfers.jetton_transfers.length],
  ),
});
const inputs: Array<[string, string]> = [
  ['CoinGecko simple/price', fixture('coingecko/fixtures/simple-price.json')],
  ['EVM block, hydrated', fixture('evm-rpc/fixtures/block.hydrated.json')],
  ['toncenter page, 1,000 entries', page],
];

const toJsonNumber = (text: string) => new JsonNumber(text);
const parsers: Array<[string, (text: string) => unknown]> = [
  ['in-house', parseJsonLossless],
  ['lossless-json', (text) => parse(text, null, toJsonNumber)],
  ['JSON.parse', (text) => JSON.parse(text)],
];

const ROUNDS = 7;
const timePerCall = (fn: (text: string) => unknown, text: string, calls: number): number => {
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn(text);
  return Number(process.hrtime.bigint() - started) / calls / 1_000;
};

console.log(`# lossless JSON parsing, ${machine()}, ${new Date().toISOString()}`);
console.log('| body | bytes | in-house µs | lossless-json µs | JSON.parse µs | lossless-json / in-house |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [name, text] of inputs) {
  if (!isDeepStrictEqual(parseJsonLossless(text), parse(text, null, toJsonNumber)))
    throw new Error(`the parsers disagree on ${name}`);
  const calls = Math.max(5, Math.round(3_000_000 / text.length));
  for (const [, fn] of parsers) timePerCall(fn, text, calls); // warm-up
  const samples = parsers.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++)
    parsers.forEach(([, fn], i) => samples[i]!.push(timePerCall(fn, text, calls)));
  const [inHouse, lossless, native] = samples.map((s) => s.sort((a, b) => a - b)[ROUNDS >> 1]!);
  console.log(
    `| ${name} | ${text.length.toLocaleString('en')} | ${inHouse!.toFixed(1)} | ${lossless!.toFixed(1)} | ${native!.toFixed(1)} | ${(lossless! / inHouse!).toFixed(2)}× |`,
  );
}
