import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  AppPlaceOrderDocument,
  AppQuoteDocument,
  type AppHomeQuery,
  type AppPlaceOrderMutation,
  type AppQuoteMutation,
} from '../../../sdk/index.js';
import { MainButton, ScreenTop } from '../buttons.js';
import { useApp } from '../context.js';
import { isPositive } from '../decimal.js';
import { describeError, describeOrderRejection } from '../errors.js';
import { digits, formatAmount } from '../format.js';
import { latinDigits, newKey } from '../input.js';

type Quote = AppQuoteMutation['quote'];
type Order = AppPlaceOrderMutation['placeOrder'];
type Side = 'BUY' | 'SELL';

const TOMAN = 'IRT';

/** Seconds left until `iso`, ticking every second (0 once past). */
function useSecondsLeft(iso: string | null): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!iso) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [iso]);
  return iso ? Math.max(0, Math.ceil((Date.parse(iso) - now) / 1_000)) : 0;
}

/**
 * Buy or sell an asset against Toman: a price locked for a few seconds (the server keeps the quote; the app holds
 * its id and counts down), then the order. One idempotency key per quote: a double tap or a retry of the same quote
 * joins or replays the first order, so it fills once.
 */
export function TradeScreen(props: { balances: AppHomeQuery['me']['balances']; onBack: () => void }) {
  const { session, language, s } = useApp();
  const coins = useMemo(
    () => props.balances.map((b) => b.asset.symbol).filter((symbol) => symbol !== TOMAN),
    [props.balances],
  );
  const [side, setSide] = useState<Side>('BUY');
  const [coin, setCoin] = useState(coins[0] ?? '');
  const [amount, setAmount] = useState('');
  const [quote, setQuote] = useState<Quote | null>(null);
  const [order, setOrder] = useState<Order | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const attempt = useRef<{ quoteId: string; key: string } | null>(null);
  const inFlight = useRef<Promise<void> | null>(null);
  const secondsLeft = useSecondsLeft(quote?.expiresAt ?? null);
  const live = quote !== null && secondsLeft > 0;

  const paidIn = side === 'BUY' ? TOMAN : coin;
  const unitName = (symbol: string) => (symbol === TOMAN ? s.toman : symbol);
  const ready = coin !== '' && isPositive(amount.trim());

  // a changed form makes the held price moot
  useEffect(() => {
    setQuote(null);
    setMessage(null);
  }, [side, coin, amount]);

  const getQuote = async () => {
    if (!ready || busy) return;
    setBusy(true);
    setMessage(null);
    try {
      const res = await session.request(AppQuoteDocument, {
        input: {
          from: side === 'BUY' ? TOMAN : coin,
          to: side === 'BUY' ? coin : TOMAN,
          amount: amount.trim(),
          side: 'SPEND',
        },
      });
      setQuote(res.quote);
    } catch (err) {
      setMessage(describeError(err, language));
    } finally {
      setBusy(false);
    }
  };

  const place = (): Promise<void> => {
    if (!quote || !live) return Promise.resolve();
    if (inFlight.current) return inFlight.current;
    if (attempt.current?.quoteId !== quote.id) attempt.current = { quoteId: quote.id, key: newKey() };
    const { key } = attempt.current;
    setBusy(true);
    setMessage(null);
    inFlight.current = session
      .request(AppPlaceOrderDocument, { input: { quoteId: quote.id, idempotencyKey: key } })
      .then(({ placeOrder }) => {
        if (placeOrder.status === 'REJECTED') {
          setMessage(describeOrderRejection(placeOrder.rejectionCode, placeOrder.from.symbol, language));
          setQuote(null);
        } else setOrder(placeOrder);
      })
      .catch((err: unknown) => setMessage(describeError(err, language)))
      .finally(() => {
        inFlight.current = null;
        setBusy(false);
      });
    return inFlight.current;
  };

  const header = <ScreenTop title={s.trade} onBack={props.onBack} />;

  if (order) {
    return (
      <main class="screen" data-testid="trade">
        {header}
        <section class="card center" data-testid="order" data-status={order.status}>
          <div class="big">✓</div>
          <p class="strong">{s.filled}</p>
          <dl class="facts">
            <dt>{s.youPaid}</dt>
            <dd data-testid="order-pay">
              {formatAmount(order.pay, language)} {unitName(order.from.symbol)}
            </dd>
            <dt>{s.youReceived}</dt>
            <dd data-testid="order-receive">
              {formatAmount(order.receive, language)} {unitName(order.to.symbol)}
            </dd>
            <dt>{s.fee}</dt>
            <dd>
              {formatAmount(order.fee, language)} {unitName(order.to.symbol)}
            </dd>
          </dl>
        </section>
        <MainButton
          text={s.tradeAgain}
          onClick={() => {
            setOrder(null);
            setQuote(null);
            setAmount('');
          }}
        />
      </main>
    );
  }

  return (
    <main class="screen" data-testid="trade">
      {header}
      <div class="segmented two" role="tablist">
        {(['BUY', 'SELL'] as const).map((value) => (
          <button
            key={value}
            type="button"
            role="tab"
            data-testid={`side-${value}`}
            aria-selected={side === value}
            onClick={() => setSide(value)}
          >
            {value === 'BUY' ? s.buy : s.sell}
          </button>
        ))}
      </div>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          void (live ? place() : getQuote());
        }}
      >
        <label>
          <span class="hint">{s.asset}</span>
          <select data-testid="coin" value={coin} onChange={(e) => setCoin(e.currentTarget.value)}>
            {coins.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span class="hint">{s.spendAmount(unitName(paidIn))}</span>
          <input
            data-testid="amount"
            dir="ltr"
            inputMode="decimal"
            value={amount}
            placeholder="0"
            onInput={(e) => setAmount(latinDigits(e.currentTarget.value))}
          />
        </label>
      </form>
      {quote && (
        <section class="card" data-testid="quote" data-live={live}>
          <dl class="facts">
            <dt>{s.youPay}</dt>
            <dd data-testid="quote-pay">
              {formatAmount(quote.pay, language)} {unitName(quote.from.symbol)}
            </dd>
            <dt>{s.youReceive}</dt>
            <dd data-testid="quote-receive">
              {formatAmount(quote.receive, language)} {unitName(quote.to.symbol)}
            </dd>
            <dt>{s.fee}</dt>
            <dd>
              {formatAmount(quote.fee, language)} {unitName(quote.to.symbol)}
            </dd>
          </dl>
          <p class={live ? 'hint' : 'error'} data-testid="expiry">
            {live ? s.expiresIn(digits(secondsLeft, language)) : s.quoteExpired}
          </p>
        </section>
      )}
      {message && (
        <p class="error" role="alert" data-testid="error">
          {message}
        </p>
      )}
      <MainButton
        text={busy ? (live ? s.placing : s.quoting) : live ? s.placeOrder(side === 'BUY' ? s.buy : s.sell) : s.getQuote}
        enabled={ready && !busy}
        loading={busy}
        onClick={() => void (live ? place() : getQuote())}
      />
    </main>
  );
}
