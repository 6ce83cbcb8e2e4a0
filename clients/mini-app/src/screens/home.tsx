import type { AppHomeQuery, Language } from '../../../sdk/index.js';
import type { Screen } from '../app.js';
import { useApp } from '../context.js';
import { add, parseDecimal, toFixed } from '../decimal.js';
import { formatAmount } from '../format.js';
import type { LinkState } from '../live.js';
import { displayValue, totalOf, valueOf, type Prices } from '../wallet.js';

const CURRENCY_LABEL = { USD: { EN: 'USD', FA: 'دلار' }, IRT: { EN: 'Toman', FA: 'تومان' } } as const;

/** Balances with live prices and their total in the user's display currency; the socket's state; the actions. */
export function HomeScreen(props: {
  me: AppHomeQuery['me'];
  prices: Prices;
  link: LinkState;
  go: (screen: Screen) => void;
  setLanguage: (language: Language) => Promise<void>;
}) {
  const { language, s } = useApp();
  const { me, prices } = props;
  const currency = me.settings.displayCurrency;
  const unit = CURRENCY_LABEL[currency][language];
  const { total, complete } = totalOf(me.balances, currency, prices);
  const rows = me.balances
    .map((b) => ({ ...b, amount: toFixed(add(parseDecimal(b.available), parseDecimal(b.held)), b.asset.decimals) }))
    .sort((a, b) => Number(parseDecimal(b.amount).units > 0n) - Number(parseDecimal(a.amount).units > 0n));
  return (
    <main class="screen" data-testid="home">
      <header class="top">
        <div>
          <div class="username" data-testid="username" dir="ltr">
            @{me.username ?? me.firstName}
          </div>
          <LinkBadge link={props.link} />
        </div>
        <button
          type="button"
          class="chip"
          data-testid="language"
          onClick={() => void props.setLanguage(language === 'FA' ? 'EN' : 'FA')}
        >
          {s.language}
        </button>
      </header>
      <section class="card total">
        <div class="hint">{s.total}</div>
        <div class="big" data-testid="total">
          {formatAmount(total, language)} <span class="unit">{unit}</span>
          {!complete && <span class="hint"> *</span>}
        </div>
      </section>
      <nav class="actions">
        <button type="button" data-testid="go-receive" onClick={() => props.go('receive')}>
          {s.receive}
        </button>
        <button type="button" data-testid="go-send" onClick={() => props.go('send')}>
          {s.send}
        </button>
        <button type="button" data-testid="go-history" onClick={() => props.go('history')}>
          {s.history}
        </button>
      </nav>
      <nav class="actions more">
        <button type="button" data-testid="go-trade" onClick={() => props.go('trade')}>
          {s.trade}
        </button>
        <button type="button" data-testid="go-withdraw" onClick={() => props.go('withdraw')}>
          {s.withdraw}
        </button>
        <button type="button" data-testid="go-vouchers" onClick={() => props.go('vouchers')}>
          {s.vouchers}
        </button>
        <button type="button" data-testid="go-kyc" onClick={() => props.go('kyc')}>
          {s.kyc}
        </button>
        <button type="button" data-testid="go-support" onClick={() => props.go('support')}>
          {s.support}
        </button>
      </nav>
      <h2>{s.balances}</h2>
      <ul class="list" data-testid="balances">
        {rows.map((b) => {
          const value = valueOf(b.amount, b.asset.coin, currency, prices);
          return (
            <li key={b.asset.symbol} data-testid={`balance-${b.asset.symbol}`}>
              <div>
                <div class="strong">{b.asset.symbol}</div>
                <div class="hint">{b.asset.name}</div>
              </div>
              <div class="end">
                <div class="strong" data-testid="amount">
                  {formatAmount(b.available, language)}
                </div>
                <div class="hint">
                  {parseDecimal(b.held).units > 0n && `${formatAmount(b.held, language)} ${s.held} · `}
                  {value ? `${formatAmount(displayValue(value, currency), language)} ${unit}` : s.noPrice}
                </div>
              </div>
            </li>
          );
        })}
      </ul>
    </main>
  );
}

function LinkBadge({ link }: { link: LinkState }) {
  const { s } = useApp();
  const text = link === 'online' ? s.online : link === 'offline' ? s.offline : s.connecting;
  return (
    <div class={`link ${link}`} data-testid="link" data-state={link}>
      <span class="dot" aria-hidden="true" /> {text}
    </div>
  );
}
