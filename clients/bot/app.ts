import { autoRetry } from '@grammyjs/auto-retry';
import { Bot } from 'grammy';
import type { BotConfig } from '../../platform/config/config.js';
import { Metrics } from '../../platform/http/metrics.js';
import { createHttpServer, listen } from '../../platform/http/server.js';
import type { Logger } from '../../platform/logger.js';
import { registerCommands } from './commands.js';
import { GatewayClient } from './gateway-client.js';
import { UserTokens } from './user-tokens.js';
import { WEBHOOK_PATH, webhookRoute } from './webhook.js';

export interface RunningBot {
  /** The bot's HTTP server (webhook, /health, /metrics). */
  url: string;
  /** Where Telegram must POST updates in webhook mode. */
  webhookUrl: string;
  bot: Bot;
  close(): Promise<void>;
}

/**
 * The Telegram bot: grammY against TELEGRAM_API_URL (the simulator in development), the commands as a GraphQL client
 * of the gateway, and an HTTP server for the webhook, /health and /metrics. Polling mode runs getUpdates long polling
 * (grammY deletes any webhook first); webhook mode registers BOT_WEBHOOK_URL when it is set (outside production it
 * defaults to this server's own webhook URL, for the simulator).
 */
export async function startBot(config: BotConfig, log: Logger, port = config.bot.port): Promise<RunningBot> {
  const bot = new Bot(config.telegramBot.token, { client: { apiRoot: config.telegramBotApi.baseUrl } });
  // Telegram's flood control (429 retry_after) and its brief 5xx: wait and retry, a few times at most.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30 }));
  const gateway = new GatewayClient(config.bot.gatewayUrl, config.bot.gatewayTimeoutMs);
  registerCommands(bot, {
    gateway,
    tokens: new UserTokens(gateway, config.serviceCredential.credential),
    miniAppUrl: config.bot.miniAppUrl,
    log,
  });
  bot.catch((err) => log.error({ err: err.error, updateId: err.ctx.update.update_id }, 'bot update failed'));
  await initWhenReachable(bot, log);

  const metrics = new Metrics('bot');
  const http = createHttpServer({
    service: 'bot',
    log,
    metrics,
    health: {},
    routes: { [WEBHOOK_PATH]: webhookRoute(bot, config.bot.webhookSecret, log) },
  });
  const server = await listen(http, port, config.host);
  const ownWebhook = `${server.url}${WEBHOOK_PATH}`;

  let polling: Promise<void> | null = null;
  if (config.bot.mode === 'polling') {
    polling = bot
      .start({ drop_pending_updates: false, onStart: () => log.info({ bot: bot.botInfo.username }, 'bot polling') })
      .catch((err: unknown) => log.error({ err }, 'bot polling stopped'));
  } else {
    const url = config.bot.webhookUrl ?? (config.telegramBotApi.simulatorPort !== null ? ownWebhook : null);
    if (url) await bot.api.setWebhook(url, { secret_token: config.bot.webhookSecret });
    log.info({ bot: bot.botInfo.username, webhook: url ?? '(not registered: set BOT_WEBHOOK_URL)' }, 'bot webhook');
  }

  return {
    url: server.url,
    webhookUrl: ownWebhook,
    bot,
    async close() {
      if (polling) {
        await bot.stop();
        await polling;
      }
      await server.close(2000);
    },
  };
}

/** getMe until the Bot API answers: under `npm start` the simulator may still be starting; Telegram may blip. */
async function initWhenReachable(bot: Bot, log: Logger, attempts = 60): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await bot.init();
      return;
    } catch (err) {
      if (attempt >= attempts) throw err;
      if (attempt === 1) log.warn({ err }, 'the Telegram Bot API is not reachable yet: retrying');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
