import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  AppRequestWithdrawalDocument,
  AppWithdrawalAddressesDocument,
  AppWithdrawalQuoteDocument,
  AppWithdrawalUpdatedDocument,
  type AppHomeQuery,
  type AppWithdrawalAddressesQuery,
  type AppWithdrawalFragment,
  type AppWithdrawalQuoteQuery,
} from '../../../sdk/index.js';
import { MainButton, ScreenTop } from '../buttons.js';
import { useApp } from '../context.js';
import { isPositive, parseDecimal } from '../decimal.js';
import { describeError } from '../errors.js';
import { digits, formatAmount, formatDate } from '../format.js';
import { latinDigits, newKey } from '../input.js';

type Addresses = AppWithdrawalAddressesQuery['me'];
type FeeQuote = AppWithdrawalQuoteQuery['withdrawalQuote'];

/**
 * Withdraw to an address: the fee quoted first (withdrawalQuote: fee, total, minimum, internal or needing approval),
 * then the request with one idempotency key per form (a double tap or a retry returns the same withdrawal), and its
 * status live through withdrawalUpdated. Saved addresses are listed with their state (cooling off until when,
 * waiting for the SMS code); refusals (cooling off, below the minimum, funds, limits, frozen) in words.
 */
export function WithdrawScreen(props: { balances: AppHomeQuery['me']['balances']; onBack: () => void }) {
  const { session, live, language, s } = useApp();
  const assets = useMemo(() => {
    const funded = props.balances.filter((b) => b.asset.symbol !== 'IRT' && parseDecimal(b.available).units > 0n);
    return (funded.length ? funded : props.balances.filter((b) => b.asset.symbol !== 'IRT')).map((b) => b.asset.symbol);
  }, [props.balances]);
  const [asset, setAsset] = useState(assets[0] ?? '');
  const [toAddress, setToAddress] = useState('');
  const [amount, setAmount] = useState('');
  const [saved, setSaved] = useState<Addresses | null>(null);
  const [quote, setQuote] = useState<FeeQuote | null>(null);
  const [withdrawal, setWithdrawal] = useState<AppWithdrawalFragment | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const attempt = useRef<{ form: string; key: string } | null>(null);
  const inFlight = useRef<Promise<void> | null>(null);

  const address = toAddress.trim();
  const ready = asset !== '' && address.length > 0 && isPositive(amount.trim());
  const form = JSON.stringify([asset, address, amount.trim()]);

  const loadSaved = useCallback(async () => {
    try {
      setSaved((await session.request(AppWithdrawalAddressesDocument, {})).me);
    } catch (err) {
      setMessage(describeError(err, language));
    }
  }, [session, language]);

  useEffect(() => {
    void loadSaved();
    return live.subscribe(AppWithdrawalUpdatedDocument, ({ withdrawalUpdated: w }) =>
      setWithdrawal((current) => (current?.id === w.id ? w : current)),
    );
  }, [live, loadSaved]);

  // the quoted fee belongs to the form as it was
  useEffect(() => {
    setQuote(null);
    setMessage(null);
  }, [form]);

  const getFee = async () => {
    if (!ready || busy) return;
    setBusy(true);
    setMessage(null);
    try {
      const res = await session.request(AppWithdrawalQuoteDocument, {
        input: { asset, toAddress: address, amount: amount.trim() },
      });
      setQuote(res.withdrawalQuote);
    } catch (err) {
      setMessage(describeError(err, language));
    } finally {
      setBusy(false);
    }
  };

  const request = (): Promise<void> => {
    if (!quote) return Promise.resolve();
    if (inFlight.current) return inFlight.current;
    if (attempt.current?.form !== form) attempt.current = { form, key: newKey() };
    const { key } = attempt.current;
    setBusy(true);
    setMessage(null);
    inFlight.current = session
      .request(AppRequestWithdrawalDocument, {
        input: { asset, toAddress: address, amount: amount.trim(), idempotencyKey: key },
      })
      .then(({ requestWithdrawal }) => {
        setWithdrawal(requestWithdrawal);
        attempt.current = null;
      })
      .catch((err: unknown) => setMessage(describeError(err, language)))
      .finally(() => {
        inFlight.current = null;
        setBusy(false);
        // a first use registers the address (cooling off): show it
        void loadSaved();
      });
    return inFlight.current;
  };

  const header = <ScreenTop title={s.withdraw} onBack={props.onBack} />;

  if (withdrawal) {
    const w = withdrawal;
    return (
      <main class="screen" data-testid="withdraw">
        {header}
        <section class="card" data-testid="withdrawal" data-status={w.status}>
          <dl class="facts">
            <dt>{s.amount}</dt>
            <dd>
              {formatAmount(w.amount, language)} {w.asset.symbol}
            </dd>
            <dt>{s.fee}</dt>
            <dd data-testid="withdrawal-fee">
              {formatAmount(w.fee, language)} {w.asset.symbol}
            </dd>
            <dt>{s.toAddress}</dt>
            <dd class="address" dir="ltr">
              {w.toAddress}
            </dd>
            <dt>{s.status}</dt>
            <dd data-testid="withdrawal-status" class={`status ${w.status.toLowerCase()}`}>
              {s.withdrawalStatuses[w.status] ?? w.status}
              {w.status === 'CONFIRMING' && ` (${digits(w.confirmations, language)})`}
            </dd>
          </dl>
          {w.internal && <p class="hint">{s.internalTransfer}</p>}
          {w.rejectReason && <p class="error">{w.rejectReason}</p>}
        </section>
        <MainButton
          text={s.withdrawAgain}
          onClick={() => {
            setWithdrawal(null);
            setAmount('');
          }}
        />
      </main>
    );
  }

  return (
    <main class="screen" data-testid="withdraw">
      {header}
      {saved?.withdrawalsFrozen && (
        <p class="error" role="alert" data-testid="frozen">
          {s.frozen}
        </p>
      )}
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          void (quote ? request() : getFee());
        }}
      >
        <label>
          <span class="hint">{s.asset}</span>
          <select data-testid="asset" value={asset} onChange={(e) => setAsset(e.currentTarget.value)}>
            {assets.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span class="hint">{s.toAddress}</span>
          <input
            data-testid="to-address"
            dir="ltr"
            autocomplete="off"
            spellcheck={false}
            value={toAddress}
            onInput={(e) => setToAddress(e.currentTarget.value)}
          />
        </label>
        <label>
          <span class="hint">{s.amount}</span>
          <input
            data-testid="amount"
            dir="ltr"
            inputMode="decimal"
            value={amount}
            placeholder="0.00"
            onInput={(e) => setAmount(latinDigits(e.currentTarget.value))}
          />
        </label>
      </form>
      {quote && (
        <section class="card" data-testid="fee-quote">
          <dl class="facts">
            <dt>{s.networkFee}</dt>
            <dd data-testid="quote-fee">
              {formatAmount(quote.fee, language)} {quote.asset.symbol}
            </dd>
            <dt>{s.totalDebit}</dt>
            <dd data-testid="quote-total">
              {formatAmount(quote.total, language)} {quote.asset.symbol}
            </dd>
            <dt>{s.minimum}</dt>
            <dd>
              {formatAmount(quote.minimum, language)} {quote.asset.symbol}
            </dd>
          </dl>
          {quote.internal && <p class="hint">{s.internalTransfer}</p>}
          {quote.needsApproval && <p class="hint">{s.needsApproval}</p>}
        </section>
      )}
      {message && (
        <p class="error" role="alert" data-testid="error">
          {message}
        </p>
      )}
      {saved && saved.withdrawalAddresses.length > 0 && (
        <>
          <h2>{s.savedAddresses}</h2>
          <ul class="list" data-testid="saved-addresses">
            {saved.withdrawalAddresses.map((a) => (
              <li
                key={a.id}
                class="clickable"
                data-testid="saved-address"
                data-status={a.status}
                onClick={() => setToAddress(a.address)}
              >
                <div>
                  <div class="address" dir="ltr">
                    {a.label ? `${a.label} · ` : ''}
                    {a.address}
                  </div>
                  <div class="hint">
                    {a.network}
                    {s.sep}
                    {s.addressStatuses[a.status] ?? a.status}
                    {a.status === 'COOLING_OFF' && `${s.sep}${s.usableFrom(formatDate(a.usableAt, language))}`}
                  </div>
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
      <MainButton
        text={busy ? (quote ? s.requesting : s.gettingFee) : quote ? s.requestWithdrawal : s.getFee}
        enabled={ready && !busy}
        loading={busy}
        onClick={() => void (quote ? request() : getFee())}
      />
    </main>
  );
}
