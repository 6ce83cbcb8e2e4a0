import { expect } from 'vitest';
import {
  LevelRulesDocument,
  MeDocument,
  MeUpdatedDocument,
  RefreshSessionDocument,
  SignInWithTelegramDocument,
  SignOutDocument,
  UpdateSettingsDocument,
} from '../../../clients/sdk/index.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';
import { sdkCase, type SdkCaseFile } from '../case.js';
import type { Person } from '../world.js';

const s = {} as { user: Person; leaver: Person };

export const identityCases: SdkCaseFile = {
  file: 'identity.graphql',
  async setup(world) {
    s.user = await world.newUser();
    s.leaver = await world.newUser();
  },
  cases: [
    sdkCase(SignInWithTelegramDocument)({
      as: () => null,
      variables: () => ({ initData: initDataFor(newTelegramUser({ username: 'sdk_partner' })) }),
      check: (data) => {
        expect(data.signInWithTelegram.user.username).toBe('sdk_partner');
        expect(data.signInWithTelegram.accessToken).not.toBe('');
      },
    }),
    sdkCase(RefreshSessionDocument)({
      as: () => null,
      variables: () => ({ refreshToken: s.user.refreshToken }),
      check: (data) => expect(data.refreshSession.refreshToken).not.toBe(s.user.refreshToken),
    }),
    sdkCase(MeDocument)({
      as: () => s.user,
      check: (data) => expect(data.me).toMatchObject({ id: s.user.userId, level: 1, roles: ['USER'] }),
    }),
    sdkCase(UpdateSettingsDocument)({
      as: () => s.user,
      variables: () => ({ input: { language: 'FA', displayCurrency: 'IRT' } }),
      check: (data) => expect(data.updateSettings.settings).toEqual({ language: 'FA', displayCurrency: 'IRT' }),
    }),
    sdkCase(LevelRulesDocument)({
      as: () => s.user,
      check: (data) => expect(data.levelRules.length).toBeGreaterThan(0),
    }),
    sdkCase(MeUpdatedDocument)({
      as: () => s.user,
      async cause(world) {
        const res = await world.run(UpdateSettingsDocument, { input: { language: 'EN' } }, s.user);
        expect(res.body.errors).toBeUndefined();
      },
      // the push of the earlier UpdateSettings case may still be on its way: any push of this user is the proof
      check: (data) => expect(data.meUpdated).toMatchObject({ id: s.user.userId, roles: ['USER'] }),
    }),
    sdkCase(SignOutDocument)({
      as: () => s.leaver,
      check: (data) => expect(data.signOut).toBe(true),
    }),
  ],
};
