import { JsonNumber, type LosslessJsonValue } from './json-lossless.parser.js';

/**
 * The inverse of `parseJsonLossless`: writes `JsonNumber`s as their exact source text, everything else as
 * `JSON.stringify` would. Simulators use it to serve prices with chosen number text ("0.00001234", "1.2e-7").
 */
export function stringifyJsonLossless(value: LosslessJsonValue): string {
  if (value === null) return 'null';
  if (value instanceof JsonNumber) return value.source;
  if (Array.isArray(value)) return `[${value.map(stringifyJsonLossless).join(',')}]`;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    default:
      return `{${Object.entries(value)
        .map(([key, item]) => `${JSON.stringify(key)}:${stringifyJsonLossless(item)}`)
        .join(',')}}`;
  }
}

/** A JSON number from exact text; throws if the text is not a valid JSON number. */
export function jsonNumber(text: string): JsonNumber {
  if (!/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(text)) throw new SyntaxError(`not a JSON number: ${text}`);
  return new JsonNumber(text);
}
