import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ProviderParseError } from './http.errors.js';
import { jsonNumber, stringifyJsonLossless } from './json-lossless.stringify.js';
import { parseBody, zDecimal, zUnixSeconds } from './json.schemas.js';
import { createFailureSwitch } from '../../devnet/http/simulator.failures.js';
import { createRandomWalk, percentChange, seededRandom } from '../../devnet/http/simulator.random-walk.js';
import { JsonNumber, JsonSyntaxError, MAX_DEPTH, parseJsonLossless } from './json-lossless.parser.js';
import { parseRetryAfter } from './retry-after.parser.js';
import {
  DecimalFormatError,
  compareDecimal,
  decimalFromJson,
  divideByPowerOfTen,
  formatDecimal,
  normalizeDecimal,
  parseDecimal,
  roundDecimal,
} from './scaled-decimal.js';

describe('parseDecimal', () => {
  it.each([
    ['0.00001234', 1234n, 8, '0.00001234'],
    ['1.2e-7', 12n, 8, '0.00000012'],
    ['1.2E-7', 12n, 8, '0.00000012'],
    ['-3.5e+2', -350n, 0, '-350'],
    ['5e3', 5000n, 0, '5000'],
    ['1.50', 150n, 2, '1.50'],
    ['.5', 5n, 1, '0.5'],
    ['5.', 5n, 0, '5'],
    ['0', 0n, 0, '0'],
    ['007', 7n, 0, '7'],
    [
      '123456789012345678901234567890.123456789',
      123456789012345678901234567890123456789n,
      9,
      '123456789012345678901234567890.123456789',
    ],
    ['1234567', 1234567n, 0, '1234567'],
    ['2.5e-1', 25n, 2, '0.25'],
  ])('%s', (text, value, scale, formatted) => {
    const d = parseDecimal(text);
    expect(d).toEqual({ value, scale });
    expect(formatDecimal(d)).toBe(formatted);
  });

  it.each(['', '-', '.', 'e5', '1e', '1,000', ' 1', 'NaN', 'Infinity', '0x10', '1.2.3', '1e1000000000'])(
    'rejects %j',
    (text) => {
      expect(() => parseDecimal(text)).toThrow(DecimalFormatError);
    },
  );

  it('enforces scale and size limits', () => {
    expect(() => parseDecimal('1e-201')).toThrow(DecimalFormatError);
    expect(() => parseDecimal('1e201')).toThrow(DecimalFormatError);
    expect(parseDecimal('1e-20', { maxScale: 20 })).toEqual({ value: 1n, scale: 20 });
  });

  it('agrees with the float value where the float is exact enough', () => {
    for (const text of ['0.1', '123.456', '1e-7', '65432.1']) {
      expect(Number(formatDecimal(parseDecimal(text)))).toBe(Number(text));
    }
  });
});

describe('decimal helpers', () => {
  it('converts Rial to Toman exactly', () => {
    expect(formatDecimal(divideByPowerOfTen(parseDecimal('1234567'), 1))).toBe('123456.7');
    expect(formatDecimal(normalizeDecimal(divideByPowerOfTen(parseDecimal('650000000'), 1)))).toBe('65000000');
  });
  it('reads JSON numbers and numeric strings', () => {
    expect(decimalFromJson(new JsonNumber('1.2e-7'))).toEqual({ value: 12n, scale: 8 });
    expect(decimalFromJson('1234.5')).toEqual({ value: 12345n, scale: 1 });
  });
  it('normalizes, compares and rounds half to even', () => {
    expect(normalizeDecimal({ value: 1500n, scale: 3 })).toEqual({ value: 15n, scale: 1 });
    expect(normalizeDecimal({ value: 0n, scale: 5 })).toEqual({ value: 0n, scale: 0 });
    expect(compareDecimal(parseDecimal('1.5'), parseDecimal('1.50'))).toBe(0);
    expect(compareDecimal(parseDecimal('-1'), parseDecimal('0.001'))).toBe(-1);
    expect(formatDecimal(roundDecimal(parseDecimal('2.345'), 2))).toBe('2.34');
    expect(formatDecimal(roundDecimal(parseDecimal('2.355'), 2))).toBe('2.36');
    expect(formatDecimal(roundDecimal(parseDecimal('-2.3451'), 2))).toBe('-2.35');
    expect(formatDecimal(roundDecimal(parseDecimal('2.3'), 4))).toBe('2.3');
  });
});

describe('parseJsonLossless', () => {
  it('matches JSON.parse except that numbers keep their text', () => {
    const text = '{"a":[1,-0.5,1.2e-7,true,false,null,"s\\n\\u00e9\\"x"],"b":{},"c":[],"d":"плохо"}';
    expect(parseJsonLossless(text)).toEqual({
      a: [new JsonNumber('1'), new JsonNumber('-0.5'), new JsonNumber('1.2e-7'), true, false, null, 's\né"x'],
      b: {},
      c: [],
      d: 'плохо',
    });
  });

  it('keeps integers beyond 2^53 exact', () => {
    const parsed = parseJsonLossless(' [ 9007199254740993 ] ') as JsonNumber[];
    expect(parsed[0]?.source).toBe('9007199254740993');
  });

  it('treats "__proto__" as a plain key', () => {
    const parsed = parseJsonLossless('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    '',
    '{',
    '{"a":1,}',
    '[1,]',
    '01',
    '1.',
    '-',
    'NaN',
    '{"a" 1}',
    "{'a':1}",
    '"\t"',
    '"\\x"',
    '[1] 2',
    'tru',
    '{"a":1}}',
  ])('rejects %j', (text) => {
    expect(() => parseJsonLossless(text)).toThrow(JsonSyntaxError);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('rejects nesting deeper than MAX_DEPTH instead of overflowing the stack', () => {
    const deep = '['.repeat(MAX_DEPTH + 2) + ']'.repeat(MAX_DEPTH + 2);
    expect(() => parseJsonLossless(deep)).toThrow(JsonSyntaxError);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads seconds, fractional seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('0.25', now)).toBe(250);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
  });
  it('returns null when absent or unreadable', () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
  });
});

describe('stringifyJsonLossless', () => {
  it('round-trips with parseJsonLossless, keeping number text', () => {
    const text = '{"a":[1.2e-7,0.00001234,"x\\"y",null,true],"b":{"c":123456789012345678901234567890}}';
    expect(stringifyJsonLossless(parseJsonLossless(text))).toBe(text);
    expect(() => jsonNumber('1.')).toThrow(SyntaxError);
  });
});

describe('zod helpers', () => {
  it('turn JSON numbers and numeric strings into exact decimals and timestamps into dates', () => {
    const schema = z.object({ p: zDecimal, q: zDecimal, t: zUnixSeconds });
    const parsed = schema.parse(parseJsonLossless('{"p":1.2e-7,"q":"750350000","t":1711356300}'));
    expect(parsed).toEqual({
      p: { value: 12n, scale: 8 },
      q: { value: 750350000n, scale: 0 },
      t: new Date(1711356300_000),
    });
  });
  it('report a shape mismatch as ProviderParseError naming the path', () => {
    const schema = z.object({ data: z.object({ price: zDecimal }) });
    const text = '{"data":{"price":"12,5"}}';
    const error = (() => {
      try {
        return parseBody('p', schema, parseJsonLossless(text), text);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ProviderParseError);
    expect((error as Error).message).toContain('data.price');
  });
});

describe('simulator helpers', () => {
  it('random walk is deterministic per seed, exact and positive', () => {
    const make = () =>
      createRandomWalk({
        start: { a: parseDecimal('0.000001'), b: parseDecimal('3500.12') },
        volatility: 0.5,
        random: seededRandom(9),
      });
    const x = make();
    const y = make();
    for (let i = 0; i < 200; i += 1) {
      const sx = x.step();
      expect(sx).toEqual(y.step());
      expect(sx.a!.value > 0n && sx.b!.value > 0n).toBe(true);
      expect(sx.b!.scale).toBe(2);
    }
    expect(x.opening().b).toEqual(parseDecimal('3500.12'));
  });
  it('percentChange is exact (truncated to the scale)', () => {
    expect(formatDecimal(percentChange(parseDecimal('200'), parseDecimal('203'), 2))).toBe('1.50');
    expect(formatDecimal(percentChange(parseDecimal('3'), parseDecimal('2'), 4))).toBe('-33.3333');
  });
  it('failure switch counts down and can be cleared', () => {
    const failures = createFailureSwitch({ mode: 'server-error', times: 2 });
    expect(failures.take()?.mode).toBe('server-error');
    expect(failures.take()?.mode).toBe('server-error');
    expect(failures.take()).toBeNull();
    failures.set('hang');
    expect(failures.take()?.mode).toBe('hang');
    failures.set(null);
    expect(failures.take()).toBeNull();
  });
});
