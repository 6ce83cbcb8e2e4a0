import type { JetStreamManager, MsgRequest, StoredMsg } from 'nats';
import { parseEvent, type EventEnvelope } from '../../platform/bus/envelope.js';
import { idTimeMs } from '../../platform/ids.js';

/** How far back a resumed subscription may reach (`WS_RESUME_MAX_AGE_SECONDS`, `WS_RESUME_MAX_EVENTS`). */
export interface ResumeWindow {
  maxAgeMs: number;
  /** Stored events on the field's subjects the gateway reads for one resume (every viewer's, before filtering). */
  maxEvents: number;
}

/** Why the events after an id cannot be replayed: the client refetches instead. */
export type ResumeRefusal = 'TOO_OLD' | 'TOO_MANY' | 'UNKNOWN';

export type Replay = { events: EventEnvelope[] } | { refused: ResumeRefusal };

/** The durable events after one event id, on some subjects, in the order the bus delivered them. */
export interface EventLog {
  after(subjects: readonly string[], eventId: string): Promise<Replay>;
}

export interface JetStreamEventLogOptions {
  jsm(): Promise<JetStreamManager>;
  stream: string;
  subjectPrefix: string;
  window: ResumeWindow;
  /** How much earlier than its id's time an event may have been stored (clocks of the subgraph and NATS). */
  clockSkewMs?: number;
  now?: () => number;
}

/**
 * Reads the events stream with request/reply `STREAM.MSG.GET` only (no consumer: the gateway may create none,
 * platform/bus/permissions.ts). An event id is time-ordered (platform/ids.ts), so the first stored message not
 * older than the id's time (less the clock skew) is found by a binary search over sequences; from there the
 * field's subjects are read one message at a time (`next_by_subj`) past the id itself. At most
 * `window.maxEvents` messages are read; the id must be younger than `window.maxAgeMs`.
 */
export class JetStreamEventLog implements EventLog {
  constructor(private readonly options: JetStreamEventLogOptions) {}

  async after(subjects: readonly string[], eventId: string): Promise<Replay> {
    const { window, subjectPrefix } = this.options;
    const at = idTimeMs(eventId);
    const now = this.options.now?.() ?? Date.now();
    if (at === null || at > now + 60_000) return { refused: 'UNKNOWN' };
    if (at < now - window.maxAgeMs) return { refused: 'TOO_OLD' };
    const jsm = await this.options.jsm();
    const wanted = new Set(subjects.map((s) => subjectPrefix + s));
    const filter = commonFilter([...wanted]);
    let seq = await this.firstStoredAtOrAfter(jsm, at - (this.options.clockSkewMs ?? 10_000));
    if (seq === null) return { refused: 'UNKNOWN' };
    const events: EventEnvelope[] = [];
    let found = false;
    for (let read = 0; ; read++) {
      const msg = await this.next(jsm, seq, filter);
      if (!msg) break;
      seq = msg.seq + 1;
      if (read >= window.maxEvents) return { refused: 'TOO_MANY' };
      if (!wanted.has(msg.subject)) continue;
      let event: EventEnvelope;
      try {
        event = parseEvent(msg.data);
      } catch {
        continue; // a malformed message is skipped here as it is on the live path
      }
      if (found) events.push(event);
      else if (event.id === eventId) found = true;
    }
    return found ? { events } : { refused: 'UNKNOWN' };
  }

  /** The sequence of the first stored message (any subject) stored at or after `ms`, or null when none is. */
  private async firstStoredAtOrAfter(jsm: JetStreamManager, ms: number): Promise<number | null> {
    const { state } = await jsm.streams.info(this.options.stream);
    if (state.messages === 0) return null;
    const all = `${this.options.subjectPrefix}>`;
    let lo = state.first_seq;
    let hi = state.last_seq + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const msg = await this.next(jsm, mid, all);
      if (msg && msg.time.getTime() < ms) lo = msg.seq + 1;
      else hi = mid;
    }
    return lo <= state.last_seq ? lo : null;
  }

  /** The first stored message at or after `seq` on `subject` (wildcards allowed), or null at the end. */
  private async next(jsm: JetStreamManager, seq: number, subject: string): Promise<StoredMsg | null> {
    try {
      // nats-server reads `next_by_subj` in STREAM.MSG.GET as in DIRECT.GET; nats.js types it for direct gets only
      const query = { seq, next_by_subj: subject } as unknown as MsgRequest;
      return await jsm.streams.getMessage(this.options.stream, query);
    } catch (err) {
      if (isNoMessage(err)) return null;
      throw err;
    }
  }
}

/** One subject filter covering all of `subjects`: the subject itself, or their common leading tokens then `>`. */
export function commonFilter(subjects: readonly string[]): string {
  if (subjects.length === 1) return subjects[0]!;
  const split = subjects.map((s) => s.split('.'));
  const common: string[] = [];
  for (let i = 0; split.every((tokens) => i < tokens.length - 1 && tokens[i] === split[0]![i]); i++)
    common.push(split[0]![i]!);
  return [...common, '>'].join('.');
}

/** JetStream's "no message found" (10037) for a sequence past the end or with nothing on the subject. */
function isNoMessage(err: unknown): boolean {
  const e = err as { code?: string; api_error?: { err_code?: number }; message?: string };
  return e.api_error?.err_code === 10037 || e.code === '404' || /no message found/i.test(e.message ?? '');
}
