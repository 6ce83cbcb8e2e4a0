import { InputFile, type Bot, type Context } from 'grammy';
import type { Logger } from '../../platform/logger.js';
import {
  BotBalancesDocument,
  BotDepositAddressDocument,
  BotHistoryDocument,
  BotOpenTicketDocument,
  BotPricesDocument,
  type Quote,
} from '../sdk/index.js';
import { depositQrPng } from './deposit-qr.js';
import { SdkError } from '../sdk/client.js';
import type { GatewayClient } from './gateway-client.js';
import { formatAmount, langOf, localDigits, NETWORKS, texts, type BotNetwork, type Lang } from './replies.js';
import type { TelegramSender, UserSession, UserTokens } from './user-tokens.js';

export interface CommandDeps {
  gateway: GatewayClient;
  tokens: UserTokens;
  miniAppUrl: string;
  log: Logger;
}

const HISTORY_SIZE = 10;
/** Asset symbols the market prices; shown by their coin (USDT for USDT_TRON). */
const PRICE_SYMBOLS = ['USDT_TRON', 'TON', 'TRX', 'ETH', 'BNB'];
const SUBJECT_MAX = 80;

/** The language to answer in before the user's settings are known: their Telegram client's. */
const clientLang = (from: TelegramSender | undefined): Lang => (from?.language_code?.startsWith('fa') ? 'fa' : 'en');

/**
 * The bot's commands. Each runs as the Telegram user of the update (a bot-scoped token from UserTokens) and
 * answers in their language; gateway failures are answered politely (RATE_LIMITED, UNAVAILABLE) and logged by code.
 */
export function registerCommands(bot: Bot, deps: CommandDeps): void {
  const { gateway, tokens, log } = deps;

  /** Runs `work` with the sender's session; a refused token is dropped and re-issued once. */
  const asUser = (work: (ctx: Context, session: UserSession) => Promise<void>) => async (ctx: Context) => {
    const from = ctx.from;
    if (!from || from.is_bot) return;
    try {
      let session = await tokens.forUser(from);
      try {
        await work(ctx, session);
      } catch (err) {
        if (!(err instanceof SdkError) || err.code !== 'UNAUTHENTICATED') throw err;
        tokens.forget(from.id);
        session = await tokens.forUser(from);
        await work(ctx, session);
      }
    } catch (err) {
      const lang = clientLang(from);
      if (err instanceof SdkError) {
        log.warn({ code: err.code, command: ctx.message?.text?.split(/\s/)[0] }, 'bot command failed at the gateway');
        const t = texts[lang];
        const reply =
          err.code === 'RATE_LIMITED'
            ? t.rateLimited
            : err.code === 'UNAVAILABLE'
              ? t.unavailable
              : err.code === 'FORBIDDEN'
                ? t.forbidden
                : t.failed;
        await ctx.reply(reply);
        return;
      }
      log.error({ err }, 'bot command failed');
      await ctx.reply(texts[lang].failed);
    }
  };

  bot.command(
    'start',
    asUser(async (ctx, session) => {
      const lang = langOf(session.language);
      await ctx.reply(texts[lang].welcome(ctx.from?.first_name), {
        reply_markup: { inline_keyboard: [[{ text: texts[lang].openApp, web_app: { url: deps.miniAppUrl } }]] },
      });
    }),
  );

  bot.command(
    'balance',
    asUser(async (ctx, session) => {
      const { me } = await gateway.request(BotBalancesDocument, {}, session.accessToken);
      const lang = langOf(me.settings.language);
      const t = texts[lang];
      const held = (b: { held: string }) => (/^0(\.0*)?$/.test(b.held) ? null : formatAmount(b.held, lang));
      const lines = me.balances.map((b) => t.balanceLine(b.asset.symbol, formatAmount(b.total, lang), held(b)));
      await ctx.reply(lines.length ? `${t.balancesTitle}\n${lines.join('\n')}` : t.noBalances);
    }),
  );

  bot.command(
    'deposit',
    asUser(async (ctx, session) => {
      const arg = String(ctx.match ?? '')
        .trim()
        .toUpperCase();
      const network = NETWORKS.find((n) => n === arg) as BotNetwork | undefined;
      if (!network) {
        await ctx.reply(texts[langOf(session.language)].depositUsage);
        return;
      }
      const { me } = await gateway.request(BotDepositAddressDocument, { network }, session.accessToken);
      const t = texts[langOf(me.settings.language)];
      const { address } = me.depositAddress;
      await ctx.reply(t.depositAddress(network, address));
      await ctx.replyWithPhoto(new InputFile(await depositQrPng(address), `deposit-${network.toLowerCase()}.png`), {
        caption: t.depositCaption(network),
      });
    }),
  );

  bot.command(
    'prices',
    asUser(async (ctx, session) => {
      const lang = langOf(session.language);
      const quote: Quote = lang === 'fa' ? 'IRT' : 'USD';
      // a stale or missing price is a null item with its own error: shown as "no price yet"
      const { prices } = await gateway.request(
        BotPricesDocument,
        { symbols: PRICE_SYMBOLS, quote },
        session.accessToken,
        { partial: true },
      );
      const t = texts[lang];
      const lines = PRICE_SYMBOLS.map((symbol, i) => {
        const price = prices[i];
        return t.priceLine(price?.coin ?? symbol.replace(/_.*/, ''), price ? formatAmount(price.value, lang) : null);
      });
      await ctx.reply(`${t.pricesTitle(quote)}\n${lines.join('\n')}`);
    }),
  );

  bot.command(
    'history',
    asUser(async (ctx, session) => {
      const { me } = await gateway.request(BotHistoryDocument, { first: HISTORY_SIZE }, session.accessToken);
      const lang = langOf(me.settings.language);
      const t = texts[lang];
      const lines = me.transactions.edges.map(({ node }) =>
        t.historyLine(
          localDigits(node.createdAt.slice(0, 10), lang),
          node.kind,
          node.direction,
          formatAmount(node.amount, lang),
          node.asset.symbol,
        ),
      );
      await ctx.reply(lines.length ? `${t.historyTitle}\n${lines.join('\n')}` : t.noHistory);
    }),
  );

  bot.command(
    'support',
    asUser(async (ctx, session) => {
      const body = String(ctx.match ?? '').trim();
      const t = texts[langOf(session.language)];
      if (!body) {
        await ctx.reply(t.supportUsage);
        return;
      }
      const subject = [...body.split('\n')[0]!].slice(0, SUBJECT_MAX).join('');
      const { openTicket } = await gateway.request(
        BotOpenTicketDocument,
        { input: { subject, body, category: 'GENERAL' } },
        session.accessToken,
      );
      await ctx.reply(t.ticketOpened(openTicket.id));
    }),
  );

  // Anything else in a private chat: what the bot understands.
  bot.on('message', async (ctx) => {
    if (ctx.chat.type !== 'private') return;
    await ctx.reply(texts[clientLang(ctx.from)].help);
  });
}
