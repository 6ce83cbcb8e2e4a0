import { isBotScoped, type Viewer } from '../../platform/auth/viewer.js';
import type { FieldUse } from './evaluate.js';

/**
 * What a bot-scoped token (identity's signInAsTelegramUser) may select, on top of the ordinary rules: the root
 * fields and User fields the bot's commands need (balances, deposit addresses, including creating the first one,
 * prices, history, opening a ticket). Every other root field and User field answers FORBIDDEN, whatever the
 * ordinary rule says: transfers, withdrawals, orders, settings, staff fields, delegation itself. Other types are
 * reached only through these fields and keep their ordinary rules.
 */
export const BOT_SCOPE_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  Query: new Set(['me', 'prices', 'price', 'assets', 'asset']),
  Mutation: new Set(['openTicket']),
  Subscription: new Set<string>(),
  User: new Set(['id', 'username', 'firstName', 'settings', 'balances', 'depositAddress', 'transactions']),
};

/** The denial message for a field the viewer's scope leaves out, or null when the scope allows it (or none applies). */
export function scopeDenial(viewer: Viewer, use: Pick<FieldUse, 'typeName' | 'fieldName'>): string | null {
  if (!isBotScoped(viewer)) return null;
  const allowed = BOT_SCOPE_FIELDS[use.typeName];
  if (!allowed || allowed.has(use.fieldName)) return null;
  return `A bot-scoped token may not select ${use.typeName}.${use.fieldName}`;
}
