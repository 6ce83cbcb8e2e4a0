import { describe, expect, it } from 'vitest';
import { BOT_SCOPE, type Viewer } from '../../platform/auth/viewer.js';
import { permissions } from './permissions.js';
import { BOT_SCOPE_FIELDS, scopeDenial } from './scopes.js';

const user: Viewer = { userId: 'usr_1', roles: ['USER'], claims: [], sessionId: 'sfm_1' };
const bot: Viewer = { ...user, claims: [BOT_SCOPE], sessionId: 'dlg_telegram-bot' };

describe('token scopes', () => {
  it('leave unscoped viewers to the ordinary rules', () => {
    expect(scopeDenial(user, { typeName: 'Mutation', fieldName: 'transfer' })).toBeNull();
  });

  it('let a bot-scoped token select only the bot’s root and User fields; other types keep their rules', () => {
    expect(scopeDenial(bot, { typeName: 'Query', fieldName: 'me' })).toBeNull();
    expect(scopeDenial(bot, { typeName: 'User', fieldName: 'depositAddress' })).toBeNull();
    expect(scopeDenial(bot, { typeName: 'Mutation', fieldName: 'openTicket' })).toBeNull();
    expect(scopeDenial(bot, { typeName: 'Balance', fieldName: 'total' })).toBeNull();
    for (const [typeName, fieldName] of [
      ['Mutation', 'transfer'],
      ['Mutation', 'requestWithdrawal'],
      ['Mutation', 'placeOrder'],
      ['Mutation', 'updateSettings'],
      ['Mutation', 'signInAsTelegramUser'],
      ['Query', 'users'],
      ['User', 'withdrawals'],
      ['Subscription', 'balanceUpdated'],
    ] as const)
      expect(scopeDenial(bot, { typeName, fieldName }), `${typeName}.${fieldName}`).toMatch(/bot-scoped token/);
  });

  it('name only fields that exist in the permission map (a renamed field would silently drop out)', () => {
    for (const [typeName, fields] of Object.entries(BOT_SCOPE_FIELDS)) {
      if (typeName === 'User') continue; // User is '*': its fields are in the schema, not the map
      for (const field of fields) expect(permissions[typeName]?.[field], `${typeName}.${field}`).toBeDefined();
    }
  });
});
