import { expect } from 'vitest';
import {
  BotBalancesDocument,
  BotDepositAddressDocument,
  BotHistoryDocument,
  BotLanguageDocument,
  BotOpenTicketDocument,
  BotPricesDocument,
  BotSignInAsTelegramUserDocument,
} from '../../../clients/sdk/index.js';
import { DEV_SECRETS } from '../../../platform/config/secrets.js';
import { sdkCase, type SdkCaseFile } from '../case.js';
import type { Person } from '../world.js';

/** The bot's documents, run as the bot runs them: signed in on the user's behalf, then with the bot-scoped token. */
const s = {} as { user: Person; bot: Person };

export const botCases: SdkCaseFile = {
  file: 'bot.graphql',
  async setup(world) {
    s.user = await world.newUser({ TON: '2.5' });
  },
  cases: [
    sdkCase(BotSignInAsTelegramUserDocument)({
      as: () => null,
      variables: () => ({
        credential: DEV_SECRETS.BOT_SERVICE_CREDENTIAL,
        telegramUser: { id: String(s.user.telegram.id), username: s.user.telegram.username },
      }),
      check: (data) => {
        expect(data.signInAsTelegramUser.user.id).toBe(s.user.userId);
        s.bot = { ...s.user, token: data.signInAsTelegramUser.accessToken };
      },
    }),
    sdkCase(BotBalancesDocument)({
      as: () => s.bot,
      check: (data) =>
        expect(data.me!.balances.find((b) => b.asset.symbol === 'TON')).toMatchObject({ available: '2.5' }),
    }),
    sdkCase(BotDepositAddressDocument)({
      as: () => s.bot,
      variables: () => ({ network: 'ETH' }),
      check: (data) => expect(data.me!.depositAddress.address).toMatch(/^0x[0-9a-fA-F]{40}$/),
    }),
    sdkCase(BotPricesDocument)({
      as: () => s.bot,
      variables: () => ({ symbols: ['TON'], quote: 'USD' }),
      check: (data) => expect(data.prices[0]).toMatchObject({ symbol: 'TON', quote: 'USD' }),
    }),
    sdkCase(BotHistoryDocument)({
      as: () => s.bot,
      variables: () => ({ first: 5 }),
      check: (data) => expect(data.me!.transactions.edges.length).toBeGreaterThan(0),
    }),
    sdkCase(BotLanguageDocument)({
      as: () => s.bot,
      check: (data) => expect(data.me!.settings.language).toMatch(/^(EN|FA)$/),
    }),
    sdkCase(BotOpenTicketDocument)({
      as: () => s.bot,
      variables: () => ({ input: { subject: 'Deposit not shown', body: 'My TON deposit is not in /balance.' } }),
      check: (data) => expect(data.openTicket).toMatchObject({ subject: 'Deposit not shown', status: 'OPEN' }),
    }),
  ],
};
