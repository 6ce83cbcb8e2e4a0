/**
 * A JSON parser that keeps every number as its source text, so prices like `0.00001234` or `1.2e-7` and integers
 * beyond 2^53 (TRON sun, wei) survive parsing exactly. Strings, booleans, null, arrays and objects come out as
 * `JSON.parse` would produce them; only numbers differ (they become `JsonNumber`).
 *
 * Strict RFC 8259: no comments, no trailing commas, no NaN/Infinity, no leading zeros, one value per document
 * (surrounding whitespace allowed). Nesting is limited to `MAX_DEPTH` levels (deeper input is rejected, not a
 * stack overflow). Throws `JsonSyntaxError` with the offset of the problem.
 */

/** A JSON number kept as its exact source text (`source` matches the JSON number grammar). */
export class JsonNumber {
  constructor(readonly source: string) {}
  toString(): string {
    return this.source;
  }
  /** For logs only: `JSON.stringify` writes the exact source text as a string. */
  toJSON(): string {
    return this.source;
  }
}

export type LosslessJsonValue =
  null | boolean | string | JsonNumber | LosslessJsonValue[] | { [key: string]: LosslessJsonValue };

export class JsonSyntaxError extends SyntaxError {
  override readonly name = 'JsonSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
  }
}

export const MAX_DEPTH = 256;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

export function parseJsonLossless(text: string): LosslessJsonValue {
  let pos = 0;

  const fail = (message: string, at: number = pos): never => {
    throw new JsonSyntaxError(message, at);
  };

  const skipWhitespace = (): void => {
    WHITESPACE.lastIndex = pos;
    WHITESPACE.test(text);
    pos = WHITESPACE.lastIndex;
  };

  const parseString = (): string => {
    const start = pos; // at the opening quote
    let end = pos + 1;
    let needsDecoding = false;
    for (;;) {
      if (end >= text.length) fail('unterminated string', start);
      const c = text.charCodeAt(end);
      if (c === 0x22) break; // "
      if (c === 0x5c) {
        needsDecoding = true; // backslash: skip the escaped character
        end += 2;
        continue;
      }
      if (c < 0x20) fail('control character in string', end);
      end += 1;
    }
    const raw = text.slice(start, end + 1);
    pos = end + 1;
    if (!needsDecoding) return raw.slice(1, -1);
    try {
      return JSON.parse(raw) as string; // validates and decodes the escapes
    } catch {
      return fail('invalid escape in string', start);
    }
  };

  const parseLiteral = <T>(word: string, value: T): T => {
    if (text.startsWith(word, pos)) {
      pos += word.length;
      return value;
    }
    return fail('unexpected token');
  };

  const parseValue = (depth: number): LosslessJsonValue => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    skipWhitespace();
    const c = text[pos];
    switch (c) {
      case '{': {
        pos += 1;
        const obj: { [key: string]: LosslessJsonValue } = {};
        skipWhitespace();
        if (text[pos] === '}') {
          pos += 1;
          return obj;
        }
        for (;;) {
          skipWhitespace();
          if (text[pos] !== '"') fail('expected a string key');
          const key = parseString();
          skipWhitespace();
          if (text[pos] !== ':') fail("expected ':'");
          pos += 1;
          const value = parseValue(depth + 1);
          // defineProperty, so a "__proto__" key is data and never changes the prototype
          Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
          skipWhitespace();
          if (text[pos] === ',') {
            pos += 1;
            continue;
          }
          if (text[pos] === '}') {
            pos += 1;
            return obj;
          }
          fail("expected ',' or '}'");
        }
      }
      case '[': {
        pos += 1;
        const arr: LosslessJsonValue[] = [];
        skipWhitespace();
        if (text[pos] === ']') {
          pos += 1;
          return arr;
        }
        for (;;) {
          arr.push(parseValue(depth + 1));
          skipWhitespace();
          if (text[pos] === ',') {
            pos += 1;
            continue;
          }
          if (text[pos] === ']') {
            pos += 1;
            return arr;
          }
          fail("expected ',' or ']'");
        }
      }
      case '"':
        return parseString();
      case 't':
        return parseLiteral('true', true);
      case 'f':
        return parseLiteral('false', false);
      case 'n':
        return parseLiteral('null', null);
      case undefined:
        return fail('unexpected end of input');
      default: {
        NUMBER.lastIndex = pos;
        const match = NUMBER.exec(text);
        if (!match) return fail('unexpected token');
        pos = NUMBER.lastIndex;
        return new JsonNumber(match[0]);
      }
    }
  };

  const value = parseValue(0);
  skipWhitespace();
  if (pos !== text.length) fail('unexpected data after the JSON value');
  return value;
}
