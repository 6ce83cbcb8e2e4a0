import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import {
  AppBalanceUpdatedDocument,
  AppHomeDocument,
  AppPriceUpdatedDocument,
  AppUpdateSettingsDocument,
  type AppHomeQuery,
  type Language,
} from '../../sdk/index.js';
import { Session } from './api.js';
import { Ctx, type AppContext } from './context.js';
import { describeError } from './errors.js';
import { strings } from './i18n.js';
import { Live, type LinkState } from './live.js';
import { hashFor, routeOf, type Route } from './route.js';
import { HistoryScreen } from './screens/history.js';
import { HomeScreen } from './screens/home.js';
import { ReceiveScreen } from './screens/receive.js';
import { SendScreen } from './screens/send.js';
import { lazyScreen } from './lazy.js';
import { connectTelegram } from './telegram.js';
import { priceKey, pricesOf, type Prices } from './wallet.js';

export type Screen = Route;

type Me = AppHomeQuery['me'];

// the screens reached from home's second row and the bot's links: their own chunks, loaded on first use
const KycScreen = lazyScreen(() => import('./screens/kyc.js').then((m) => m.KycScreen));
const SupportScreen = lazyScreen(() => import('./screens/support.js').then((m) => m.SupportScreen));
const TradeScreen = lazyScreen(() => import('./screens/trade.js').then((m) => m.TradeScreen));
const WithdrawScreen = lazyScreen(() => import('./screens/withdraw.js').then((m) => m.WithdrawScreen));
const VouchersScreen = lazyScreen(() => import('./screens/vouchers.js').then((m) => m.VouchersScreen));

const telegram = connectTelegram();
const session = new Session(`${location.origin}/graphql`);

/** Guess before the user's settings arrive: Telegram's own language code, else English. */
function initialLanguage(): Language {
  return /^fa\b/.test(navigator.language) ? 'FA' : 'EN';
}

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [prices, setPrices] = useState<Prices>(new Map());
  const [screen, setScreen] = useState<Screen>(() => routeOf(location.hash));
  const [link, setLink] = useState<LinkState>('connecting');
  const [failure, setFailure] = useState<unknown>(null);
  const [live, setLive] = useState<Live | null>(null);
  const language = me?.settings.language ?? initialLanguage();

  const loadHome = useCallback(async () => {
    const home = await session.request(AppHomeDocument, {});
    setMe(home.me);
    setPrices(pricesOf(home));
  }, []);

  useEffect(() => {
    if (!telegram.initData) {
      setFailure(new Error('NO_INIT_DATA'));
      return;
    }
    let socket: Live | null = null;
    (async () => {
      await session.signIn(telegram.initData!);
      socket = new Live(`${location.origin.replace(/^http/, 'ws')}/graphql`, session, setLink);
      setLive(socket);
      await loadHome();
    })().catch(setFailure);
    return () => socket?.dispose();
  }, [loadHome]);

  // Live balances and prices for the whole app; after a reconnect, refetch what the socket may have missed.
  useEffect(() => {
    if (!live) return;
    const offBalances = live.subscribe(AppBalanceUpdatedDocument, ({ balanceUpdated }) =>
      setMe((current) => {
        if (!current) return current;
        const changed = new Map(balanceUpdated.map((b) => [b.asset.symbol, b]));
        return {
          ...current,
          balances: current.balances.map((b) => {
            const update = changed.get(b.asset.symbol);
            return update ? { ...b, available: update.available, held: update.held } : b;
          }),
        };
      }),
    );
    const offPrices = live.subscribe(AppPriceUpdatedDocument, ({ priceUpdated: p }) =>
      setPrices((current) => new Map(current).set(priceKey(p.coin, p.quote), p.value)),
    );
    const offReconnect = live.onReconnected(() => void loadHome().catch(() => undefined));
    const online = () => void loadHome().catch(() => undefined);
    window.addEventListener('online', online);
    return () => {
      offBalances();
      offPrices();
      offReconnect();
      window.removeEventListener('online', online);
    };
  }, [live, loadHome]);

  // the hash names the screen (`#/kyc`, from a bot's web_app button or a reload); the launch parameters stay in it
  useEffect(() => {
    const follow = () => setScreen(routeOf(location.hash));
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  const go = useCallback((next: Screen) => {
    history.replaceState(null, '', hashFor(next, location.hash));
    setScreen(next);
  }, []);

  useEffect(() => {
    document.documentElement.lang = language === 'FA' ? 'fa' : 'en';
    document.documentElement.dir = language === 'FA' ? 'rtl' : 'ltr';
    document.title = strings(language).appTitle;
  }, [language]);

  const setLanguage = useCallback(async (next: Language) => {
    const res = await session.request(AppUpdateSettingsDocument, { input: { language: next } });
    setMe((current) => (current ? { ...current, settings: res.updateSettings.settings } : current));
  }, []);

  const ctx = useMemo<AppContext | null>(
    () => (live ? { session, live, telegram, language, s: strings(language) } : null),
    [live, language],
  );

  if (failure) {
    const code = failure instanceof Error && failure.message === 'NO_INIT_DATA' ? 'NO_INIT_DATA' : null;
    const s = strings(language);
    return (
      <main class="screen center" data-testid="fatal">
        <p class="error">{code ? s.errors.NO_INIT_DATA : describeError(failure, language)}</p>
      </main>
    );
  }
  if (!ctx || !me) {
    return (
      <main class="screen center" data-testid="loading">
        <p class="hint">{strings(language).signingIn}</p>
      </main>
    );
  }
  const home = () => go('home');
  return (
    <Ctx.Provider value={ctx}>
      {screen === 'home' && <HomeScreen me={me} prices={prices} link={link} go={go} setLanguage={setLanguage} />}
      {screen === 'receive' && <ReceiveScreen onBack={home} />}
      {screen === 'send' && <SendScreen balances={me.balances} onBack={home} />}
      {screen === 'history' && <HistoryScreen onBack={home} />}
      {screen === 'trade' && <TradeScreen balances={me.balances} onBack={home} />}
      {screen === 'withdraw' && <WithdrawScreen balances={me.balances} onBack={home} />}
      {screen === 'vouchers' && <VouchersScreen onBack={home} />}
      {screen === 'kyc' && <KycScreen onBack={home} />}
      {screen === 'support' && <SupportScreen onBack={home} />}
    </Ctx.Provider>
  );
}
