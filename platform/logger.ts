import pino, { type DestinationStream, type Logger } from 'pino';
import { trace } from '@opentelemetry/api';

export type { Logger };

/** Paths whose values never reach a log line, at any level. */
export const REDACTED_PATHS = [
  'token',
  'accessToken',
  'refreshToken',
  'initData',
  'password',
  'mnemonic',
  'privateKey',
  'secret',
  'authorization',
  'cardNumber',
  'pan',
  'document',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.initData',
  '*.password',
  '*.mnemonic',
  '*.privateKey',
  '*.secret',
  '*.authorization',
  '*.cardNumber',
  '*.pan',
  '*.document',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-internal-context"]',
  'headers.authorization',
  'headers["x-internal-context"]',
  'variables.*',
  'connectionParams.*',
];

export interface LoggerOptions {
  name: string;
  level: string;
  destination?: DestinationStream;
}

export function createLogger({ name, level, destination }: LoggerOptions): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service: name },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: pino.stdSerializers.err },
      mixin: traceFields,
    },
    destination,
  );
}

/** The trace and span of a line logged inside a span (tracing on), so logs and traces join; nothing otherwise. */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return traceFlags & 1 ? { trace_id: traceId, span_id: spanId } : {};
}

/** A child bound to those of `fields` the logger does not carry yet, so no line names a key twice. */
export function bindOnce(log: Logger, fields: Record<string, unknown>): Logger {
  const bound = log.bindings();
  const missing = Object.fromEntries(Object.entries(fields).filter(([key]) => bound[key] === undefined));
  return Object.keys(missing).length ? log.child(missing) : log;
}
