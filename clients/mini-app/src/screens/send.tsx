import { useMemo, useRef, useState } from 'preact/hooks';
import { AppTransferDocument, type AppHomeQuery, type AppTransferMutation } from '../../../sdk/index.js';
import { MainButton, ScreenTop } from '../buttons.js';
import { useApp } from '../context.js';
import { isPositive, parseDecimal } from '../decimal.js';
import { describeError, describeRefusal } from '../errors.js';
import { formatAmount } from '../format.js';
import { latinDigits, newKey } from '../input.js';

type Result = AppTransferMutation['transfer'];
type Sent = Extract<Result, { __typename?: 'Transaction' }>;

/**
 * Send to a Telegram username. One idempotency key per attempt: it is made for the form as filled in, kept across
 * taps and retries of that same form (a double tap, a retry after a timeout: the API answers with the first
 * result), and replaced only when the form changes or after a transfer went through.
 */
export function SendScreen(props: { balances: AppHomeQuery['me']['balances']; onBack: () => void }) {
  const { session, language, s } = useApp();
  const assets = useMemo(() => {
    const funded = props.balances.filter((b) => parseDecimal(b.available).units > 0n);
    return (funded.length ? funded : props.balances).map((b) => b.asset.symbol);
  }, [props.balances]);
  const [to, setTo] = useState('');
  const [asset, setAsset] = useState(assets[0] ?? '');
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [sent, setSent] = useState<Sent | null>(null);
  const attempt = useRef<{ form: string; key: string } | null>(null);
  const inFlight = useRef<Promise<void> | null>(null);

  const username = to.trim().replace(/^@/, '');
  const ready = username.length > 0 && asset !== '' && isPositive(amount.trim());
  const form = JSON.stringify([username, asset, amount.trim(), note.trim()]);

  const submit = (): Promise<void> => {
    if (!ready) return Promise.resolve();
    // a second tap while the first is on its way joins it
    if (inFlight.current) return inFlight.current;
    if (attempt.current?.form !== form) attempt.current = { form, key: newKey() };
    const { key } = attempt.current;
    setBusy(true);
    setMessage(null);
    inFlight.current = session
      .request(AppTransferDocument, {
        input: {
          toUsername: username,
          asset,
          amount: amount.trim(),
          idempotencyKey: key,
          ...(note.trim() ? { note: note.trim() } : {}),
        },
      })
      .then(({ transfer }) => {
        if (transfer.__typename === 'Transaction') {
          setSent(transfer as Sent);
          attempt.current = null;
        } else if ('code' in transfer) {
          setMessage(describeRefusal(transfer, language));
        }
      })
      .catch((err: unknown) => setMessage(describeError(err, language)))
      .finally(() => {
        inFlight.current = null;
        setBusy(false);
      });
    return inFlight.current;
  };

  if (sent) {
    return (
      <main class="screen" data-testid="send">
        <ScreenTop title={s.send} onBack={props.onBack} />
        <section class="card center" data-testid="sent">
          <div class="big">✓</div>
          <p class="strong">
            {s.sent(`${formatAmount(sent.amount, language)} ${sent.asset.symbol}`, sent.counterparty?.username ?? '')}
          </p>
          <p class="hint" data-testid="fee">
            {s.fee}: {formatAmount(sent.fee, language)} {sent.asset.symbol}
          </p>
        </section>
        <MainButton
          text={s.sendAnother}
          onClick={() => {
            setSent(null);
            setAmount('');
            setNote('');
          }}
        />
      </main>
    );
  }

  return (
    <main class="screen" data-testid="send">
      <ScreenTop title={s.send} onBack={props.onBack} />
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          <span class="hint">{s.toUsername}</span>
          <input
            data-testid="to"
            dir="ltr"
            value={to}
            autocomplete="off"
            placeholder="@username"
            onInput={(e) => setTo(e.currentTarget.value)}
          />
        </label>
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
        <label>
          <span class="hint">{s.note}</span>
          <input data-testid="note" value={note} maxLength={280} onInput={(e) => setNote(e.currentTarget.value)} />
        </label>
        <p class="hint">{s.feeOnTop}</p>
        {message && (
          <p class="error" role="alert" data-testid="error">
            {message}
          </p>
        )}
      </form>
      <MainButton
        text={busy ? s.sending : s.send}
        enabled={ready && !busy}
        loading={busy}
        onClick={() => void submit()}
      />
    </main>
  );
}
