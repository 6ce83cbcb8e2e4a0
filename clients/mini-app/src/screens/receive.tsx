import { useEffect, useState } from 'preact/hooks';
import {
  AppDepositAddressDocument,
  AppDepositUpdatedDocument,
  type AppDepositUpdatedSubscription,
  type Network,
} from '../../../sdk/index.js';
import { ScreenTop } from '../buttons.js';
import { useApp } from '../context.js';
import { describeError } from '../errors.js';
import { digits, formatAmount } from '../format.js';

const NETWORKS: Network[] = ['TON', 'TRON', 'ETH', 'BSC'];
type Deposit = AppDepositUpdatedSubscription['depositUpdated'];

/** Network picker, the deposit address as text and QR code, and this session's deposits live as they progress. */
export function ReceiveScreen(props: { onBack: () => void }) {
  const { session, live, language, s } = useApp();
  const [network, setNetwork] = useState<Network>('TON');
  const [address, setAddress] = useState<string | null>(null);
  const [qr, setQr] = useState<string>('');
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [deposits, setDeposits] = useState<Deposit[]>([]);

  useEffect(() => {
    let current = true;
    setAddress(null);
    setQr('');
    setError(null);
    session
      .request(AppDepositAddressDocument, { network })
      .then(async ({ me }) => {
        const text = me.depositAddress.address;
        // qrcode is loaded with the first address (its own chunk), not with the home screen
        const { toString } = await import('qrcode');
        const svg = await toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
        if (!current) return;
        setAddress(text);
        setQr(svg);
      })
      .catch((err: unknown) => current && setError(describeError(err, language)));
    return () => {
      current = false;
    };
  }, [session, network, language]);

  useEffect(
    () =>
      live.subscribe(AppDepositUpdatedDocument, ({ depositUpdated: d }) =>
        setDeposits((list) => [d, ...list.filter((x) => x.id !== d.id)]),
      ),
    [live],
  );

  const copy = async () => {
    if (!address) return;
    await navigator.clipboard?.writeText(address).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };

  return (
    <main class="screen" data-testid="receive">
      <ScreenTop title={s.receive} onBack={props.onBack} />
      <div class="hint">{s.network}</div>
      <div class="segmented" role="tablist">
        {NETWORKS.map((n) => (
          <button
            type="button"
            role="tab"
            key={n}
            aria-selected={n === network}
            data-testid={`network-${n}`}
            onClick={() => setNetwork(n)}
          >
            {n}
          </button>
        ))}
      </div>
      <section class="card center">
        <div class="hint">{s.depositAddress}</div>
        {/* the SVG is produced locally by qrcode from the address: no script, no remote content */}
        <div class="qr" data-testid="qr" dangerouslySetInnerHTML={{ __html: qr }} />
        <code class="address" data-testid="address" dir="ltr">
          {address ?? '…'}
        </code>
        <button type="button" class="chip" onClick={() => void copy()} disabled={!address}>
          {copied ? s.copied : s.copy}
        </button>
      </section>
      {error && <p class="error">{error}</p>}
      <p class="hint">{s.depositsHere}</p>
      <ul class="list" data-testid="deposits">
        {deposits.map((d) => (
          <li key={d.id} data-testid="deposit" data-status={d.status}>
            <div>
              <div class="strong">
                {formatAmount(d.amount, language)} {d.asset.symbol}
              </div>
              <div class="hint">{d.network}</div>
            </div>
            <div class="end">
              <div class={`status ${d.status}`}>{s.depositStatus[d.status] ?? d.status}</div>
              <div class="hint">
                {s.confirmations(
                  digits(Math.min(d.confirmations, d.requiredConfirmations), language),
                  digits(d.requiredConfirmations, language),
                )}
              </div>
            </div>
          </li>
        ))}
      </ul>
    </main>
  );
}
