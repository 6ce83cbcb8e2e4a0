import type { NotificationFacts, NotificationKind } from '../notification.js';

/** One message's words in one language: the text and the label of its Mini App button. */
export interface Words {
  text: string;
  button: string;
}

export type Templates = { [K in NotificationKind]: (facts: NotificationFacts[K]) => Words };
