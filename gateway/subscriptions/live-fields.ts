import type { EventEnvelope } from '../../platform/bus/envelope.js';
import type { Viewer } from '../../platform/auth/viewer.js';

/** A follow-up argument: its GraphQL type and the value taken from the event or the subscription. */
export interface FollowUpArg {
  type: string;
  value: unknown;
}

/**
 * One field of the gateway's Subscription type. Events carry keys only; for each matching event the
 * gateway runs `followUp` as a query through itself with the subscriber's selection set.
 */
export interface LiveField {
  name: string;
  /** The field's SDL inside `type Subscription { … }`. */
  sdl: string;
  subjects: string[];
  /** Cheap per-event filter: does this event concern this subscriber? */
  matches(event: EventEnvelope, viewer: Viewer, args: Record<string, unknown>): boolean;
  /** The query root field to run, with arguments. */
  followUp(event: EventEnvelope, viewer: Viewer, args: Record<string, unknown>): { field: string; args: Record<string, FollowUpArg> };
  /** Public data: one execution per event serves every subscriber with the same selection and variables. */
  public?: boolean;
}

export const liveFields: LiveField[] = [
  {
    name: 'meUpdated',
    sdl: '"""The signed-in user, pushed whenever their settings, level, roles or claims change."""\n  meUpdated: User!',
    subjects: ['identity.user.updated'],
    matches: (event, viewer) => (event.payload as { userId?: string }).userId === viewer.userId,
    followUp: () => ({ field: 'me', args: {} }),
  },
];
