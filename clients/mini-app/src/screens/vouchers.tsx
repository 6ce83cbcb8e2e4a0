import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import {
  AppRedeemVoucherDocument,
  AppVouchersDocument,
  type AppVoucherFragment,
  type VoucherType,
} from '../../../sdk/index.js';
import { MainButton, ScreenTop } from '../buttons.js';
import { useApp } from '../context.js';
import { describeError } from '../errors.js';
import { formatAmount, formatDate } from '../format.js';
import { newKey } from '../input.js';

const TYPES: VoucherType[] = ['HOT', 'PS', 'UTOPIA_UUSD', 'UTOPIA_CRP', 'PERFECT_MONEY'];
const CURRENCY_NAME = { IRT: { EN: 'Toman', FA: 'تومان' } } as Record<string, Record<string, string>>;

/**
 * My vouchers (bought and redeemed, newest first) and redeeming a code: one idempotency key per code entered, so a
 * double tap or a retry redeems it once; PENDING while the provider settles (the list is fetched again on return).
 */
export function VouchersScreen(props: { onBack: () => void }) {
  const { session, live, language, s } = useApp();
  const [vouchers, setVouchers] = useState<AppVoucherFragment[] | null>(null);
  const [type, setType] = useState<VoucherType>('HOT');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [done, setDone] = useState<AppVoucherFragment | null>(null);
  const attempt = useRef<{ form: string; key: string } | null>(null);
  const inFlight = useRef<Promise<void> | null>(null);
  const form = JSON.stringify([type, code.trim()]);
  const unit = (currency: string) => CURRENCY_NAME[currency]?.[language] ?? currency;

  const load = useCallback(async () => {
    try {
      setVouchers((await session.request(AppVouchersDocument, {})).me.vouchers.edges.map((e) => e.node));
    } catch (err) {
      setMessage(describeError(err, language));
    }
  }, [session, language]);

  useEffect(() => {
    void load();
    return live.onReconnected(() => void load());
  }, [live, load]);

  const redeem = (): Promise<void> => {
    if (!code.trim()) return Promise.resolve();
    if (inFlight.current) return inFlight.current;
    if (attempt.current?.form !== form) attempt.current = { form, key: newKey() };
    const { key } = attempt.current;
    setBusy(true);
    setMessage(null);
    setDone(null);
    inFlight.current = session
      .request(AppRedeemVoucherDocument, { type, code: code.trim(), idempotencyKey: key })
      .then(({ redeemVoucher }) => {
        setDone(redeemVoucher);
        setCode('');
        attempt.current = null;
        setVouchers((list) => [redeemVoucher, ...(list ?? []).filter((v) => v.id !== redeemVoucher.id)]);
      })
      .catch((err: unknown) => setMessage(describeError(err, language)))
      .finally(() => {
        inFlight.current = null;
        setBusy(false);
      });
    return inFlight.current;
  };

  return (
    <main class="screen" data-testid="vouchers">
      <ScreenTop title={s.vouchers} onBack={props.onBack} />
      <h2>{s.redeemVoucher}</h2>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          void redeem();
        }}
      >
        <label>
          <span class="hint">{s.voucherType}</span>
          <select
            data-testid="voucher-type"
            value={type}
            onChange={(e) => setType(e.currentTarget.value as VoucherType)}
          >
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {s.voucherTypes[t] ?? t}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span class="hint">{s.voucherCode}</span>
          <input
            data-testid="voucher-code"
            dir="ltr"
            autocomplete="off"
            spellcheck={false}
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
        </label>
      </form>
      {message && (
        <p class="error" role="alert" data-testid="error">
          {message}
        </p>
      )}
      {done && (
        <p class="strong" data-testid="redeemed" data-status={done.status}>
          {s.voucherStatuses[done.status] ?? done.status}
          {done.assetAmount &&
            `${s.sep}${s.credited(`${formatAmount(done.assetAmount, language)} ${unit(done.asset)}`)}`}
        </p>
      )}
      <h2>{s.vouchers}</h2>
      <ul class="list" data-testid="voucher-list">
        {vouchers?.map((v) => (
          <li key={v.id} data-testid="voucher" data-status={v.status}>
            <div>
              <div class="strong">
                {s.voucherDirections[v.direction] ?? v.direction}
                {s.sep}
                {s.voucherTypes[v.type] ?? v.type}
              </div>
              <div class="hint">{formatDate(v.createdAt, language)}</div>
            </div>
            <div class="end">
              {v.faceAmount && (
                <div class="strong">
                  {formatAmount(v.faceAmount, language)} {unit(v.faceCurrency)}
                </div>
              )}
              <div class={`hint status ${v.status.toLowerCase()}`}>{s.voucherStatuses[v.status] ?? v.status}</div>
            </div>
          </li>
        ))}
        {vouchers?.length === 0 && <li class="hint center">{s.noVouchers}</li>}
      </ul>
      <MainButton
        text={busy ? s.redeeming : s.redeem}
        enabled={code.trim().length > 0 && !busy}
        loading={busy}
        onClick={() => void redeem()}
      />
    </main>
  );
}
