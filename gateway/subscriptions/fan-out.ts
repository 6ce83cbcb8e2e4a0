import type { ExecutionResult } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { WebSocket } from 'ws';
import type { Logger } from '../../platform/logger.js';
import { inSpan } from '../../platform/telemetry/spans.js';

/** Where a new member writes: its socket, its frame start and the topics it listens to. */
export interface FanOutSeat {
  readonly socket: WebSocket;
  /** `{"id":"<subscription id>","type":"next","payload":`, encoded once when the subscription starts. */
  readonly frameStart: Buffer;
  readonly topics: readonly string[];
}

/** One subscription served by fan-out; `stop()` takes it out (idempotent). No closures per member. */
export class FanOutMember {
  group: FanOutGroup | null = null;

  constructor(
    readonly socket: WebSocket,
    readonly frameStart: Buffer,
    readonly topics: readonly string[],
    private readonly owner: FanOut,
  ) {}

  stop(): void {
    this.owner.remove(this);
  }
}

/** What an event concerns: a topic (e.g. `TON|IRT`) and the follow-up's event variables for it. */
export interface FanOutTarget {
  topic: string;
  variables: Record<string, unknown>;
}

/**
 * Subscriptions that share one follow-up: same live field, same selection (document text), same variables
 * and same scope (public, or one viewer). Per event and topic the follow-up runs once for all of them.
 */
export interface FanOutGroupSpec {
  key: string;
  /** Runs the follow-up with the event's variables (merged over the group's own). */
  execute(eventVariables: Record<string, unknown>): Promise<ExecutionResult>;
  responseKey: string;
}

interface TopicState {
  running: boolean;
  /** The newest target that arrived while a run was in flight: run once more for it (latest wins). */
  pending: FanOutTarget | null;
}

export class FanOutGroup {
  readonly byTopic = new Map<string, Set<FanOutMember>>();
  readonly topicState = new Map<string, TopicState>();
  size = 0;
  constructor(readonly spec: FanOutGroupSpec) {}
}

export interface FanOutOptions {
  log: Logger;
  /**
   * A socket whose unsent bytes exceed this is a slow consumer: it gets no more frames and is closed, so
   * one stuck client never makes the gateway's memory grow.
   */
  maxBufferedBytes: number;
  onSlowConsumer(socket: WebSocket): void;
  /** Called when the first member joins and when the last one leaves (subscribe to the event source lazily). */
  onActive?(active: boolean): void;
  onExecuted?(): void;
  /** After a result was written to the members of a topic: how many frames, and how long the writing took. */
  onDelivered?(frames: number, seconds: number): void;
}

/**
 * Fan-out for one live field of public data. An event becomes, per group and topic with members, one
 * execution of the follow-up and one serialisation of its result; every member then gets the same bytes
 * behind its own frame start (no per-subscriber execution or JSON.stringify). While a group's run for a
 * topic is in flight, newer events for that topic coalesce into one more run: the follow-up reads current state, so the newest run is all a client needs.
 */
export class FanOut {
  private readonly groups = new Map<string, FanOutGroup>();
  private members = 0;

  constructor(private readonly options: FanOutOptions) {}

  /** Adds a member to the group with `spec.key` (created from `spec` if new); `stop()` on it removes it. */
  add(spec: FanOutGroupSpec, seat: FanOutSeat): FanOutMember {
    let group = this.groups.get(spec.key);
    if (!group) {
      group = new FanOutGroup(spec);
      this.groups.set(spec.key, group);
    }
    const member = new FanOutMember(seat.socket, seat.frameStart, internTopics(seat.topics), this);
    member.group = group;
    for (const topic of member.topics) {
      let set = group.byTopic.get(topic);
      if (!set) {
        set = new Set();
        group.byTopic.set(topic, set);
      }
      set.add(member);
    }
    group.size += 1;
    this.members += 1;
    if (this.members === 1) this.options.onActive?.(true);
    return member;
  }

  remove(member: FanOutMember): void {
    const group = member.group;
    if (!group) return;
    member.group = null;
    for (const topic of member.topics) {
      const set = group.byTopic.get(topic);
      set?.delete(member);
      if (set && set.size === 0) group.byTopic.delete(topic);
    }
    group.size -= 1;
    if (group.size === 0 && this.groups.get(group.spec.key) === group) this.groups.delete(group.spec.key);
    this.members -= 1;
    if (this.members === 0) this.options.onActive?.(false);
  }

  /** An event for these targets: schedule one run per group and targeted topic that has members. */
  publish(targets: readonly FanOutTarget[]): void {
    for (const group of this.groups.values()) {
      for (const target of targets) {
        if (group.byTopic.get(target.topic)?.size) this.schedule(group, target);
      }
    }
  }

  groupCount(): number {
    return this.groups.size;
  }

  memberCount(): number {
    return this.members;
  }

  private schedule(group: FanOutGroup, target: FanOutTarget): void {
    let state = group.topicState.get(target.topic);
    if (!state) {
      state = { running: false, pending: null };
      group.topicState.set(target.topic, state);
    }
    if (state.running) {
      state.pending = target;
      return;
    }
    state.running = true;
    void this.run(group, target, state);
  }

  private async run(group: FanOutGroup, target: FanOutTarget, state: TopicState): Promise<void> {
    try {
      // One span per follow-up and push, in the trace of the event that caused it (EventHub's delivery span).
      await inSpan(
        `push ${target.topic}`,
        { attributes: { 'graphql.subscription.topic': target.topic } },
        async (span) => {
          const result = await group.spec.execute(target.variables);
          this.options.onExecuted?.();
          const members = group.byTopic.get(target.topic);
          span.setAttribute('graphql.subscription.sockets', members?.size ?? 0);
          if (members?.size) this.deliver(members, encodePayload(result, group.spec.responseKey));
        },
      );
    } catch (err) {
      this.options.log.error({ err, topic: target.topic }, 'live fan-out follow-up failed');
    } finally {
      state.running = false;
      const next = state.pending;
      state.pending = null;
      if (next) this.schedule(group, next);
      else if (!group.byTopic.has(target.topic)) group.topicState.delete(target.topic);
    }
  }

  private deliver(members: Set<FanOutMember>, payload: Buffer): void {
    const started = process.hrtime.bigint();
    const { maxBufferedBytes } = this.options;
    let sent = 0;
    for (const member of members) {
      const socket = member.socket;
      if (socket.readyState !== 1 /* OPEN */) continue;
      if (socket.bufferedAmount > maxBufferedBytes) {
        this.options.onSlowConsumer(socket);
        continue;
      }
      writeTextFrame(socket, member.frameStart, payload);
      sent += 1;
    }
    this.options.onDelivered?.(sent, Number(process.hrtime.bigint() - started) / 1e9);
  }
}

/**
 * Sends one `next` frame through ws's public API: the member's frame start and the shared payload, joined
 * into one buffer (a copy of the payload per member, a few hundred bytes) that ws frames and writes. ws
 * writes frames whole and in order, so these interleave cleanly with the protocol's own messages.
 */
export function writeTextFrame(socket: WebSocket, frameStart: Buffer, payload: Buffer): void {
  socket.send(Buffer.concat([frameStart, payload], frameStart.length + payload.length), TEXT_FRAME);
}

const TEXT_FRAME = { binary: false } as const;

/** `{"id":…,"type":"next","payload":` for one subscription. */
export function frameStart(id: string): Buffer {
  return Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
}

/**
 * The rest of a `next` frame, serialised once for every recipient: `<payload>}`. The payload is the
 * subscription's result: the follow-up's root value under the subscription's response key (data null
 * when it is null, as the subscription field is non-null), and the follow-up's errors if any.
 */
export function encodePayload(result: ExecutionResult, responseKey: string): Buffer {
  const value = result.data?.[responseKey] ?? null;
  const payload: { data: Record<string, unknown> | null; errors?: unknown } = {
    data: value === null ? null : { [responseKey]: value },
  };
  if (result.errors?.length) payload.errors = result.errors;
  return Buffer.from(`${JSON.stringify(payload)}}`);
}

/**
 * Topic lists are few and shared: 10,000 subscribers to the same symbols hold one array of the same strings.
 * Least recently used lists beyond the bound are forgotten (members keep theirs; only sharing is lost).
 */
const topicLists = new LRUCache<string, readonly string[]>({ max: 10_000 });
function internTopics(topics: readonly string[]): readonly string[] {
  const key = topics.join('\n');
  let list = topicLists.get(key);
  if (!list) {
    list = Object.freeze([...topics]);
    topicLists.set(key, list);
  }
  return list;
}
