import { useCallback, useEffect, useState } from 'preact/hooks';
import { AppKycDocument, AppKycUpdatedDocument, type AppKycQuery } from '../../../sdk/index.js';
import { ScreenTop } from '../buttons.js';
import { useApp } from '../context.js';
import { describeError } from '../errors.js';
import { digits, formatDate } from '../format.js';

type Me = AppKycQuery['me'];

/**
 * The user's verification: tier and account level, the latest submission's status (live through kycUpdated: a
 * reviewer's decision shows without a reload), and what the next tier still needs, in order.
 */
export function KycScreen(props: { onBack: () => void }) {
  const { session, live, language, s } = useApp();
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setMe((await session.request(AppKycDocument, {})).me);
      setError(null);
    } catch (err) {
      setError(describeError(err, language));
    }
  }, [session, language]);

  useEffect(() => {
    void load();
    const off = live.subscribe(AppKycUpdatedDocument, ({ kycUpdated }) => {
      // show the pushed decision at once, then fetch the tier and needs it changed
      setMe((current) =>
        current
          ? { ...current, kyc: { ...current.kyc, status: kycUpdated.status, latestSubmission: kycUpdated } }
          : current,
      );
      void load();
    });
    const offReconnect = live.onReconnected(() => void load());
    return () => {
      off();
      offReconnect();
    };
  }, [live, load]);

  const kyc = me?.kyc;
  const latest = kyc?.latestSubmission;
  return (
    <main class="screen" data-testid="kyc">
      <ScreenTop title={s.kyc} onBack={props.onBack} />
      {error && (
        <p class="error" role="alert" data-testid="error">
          {error}{' '}
          <button type="button" class="chip" onClick={() => void load()}>
            {s.retry}
          </button>
        </p>
      )}
      {me && kyc && (
        <>
          <section class="card">
            <dl class="facts">
              <dt>{s.kycTier}</dt>
              <dd data-testid="kyc-tier" data-tier={kyc.tier}>
                {s.kycTiers[kyc.tier] ?? kyc.tier}
              </dd>
              <dt>{s.kycLevel}</dt>
              <dd data-testid="kyc-level">{digits(me.level, language)}</dd>
              <dt>{s.kycStatusLabel}</dt>
              <dd data-testid="kyc-status" data-status={kyc.status} class={`status ${kyc.status.toLowerCase()}`}>
                {s.kycStatuses[kyc.status] ?? kyc.status}
                {latest && `${s.sep}${s.kycTiers[latest.approvedTier ?? latest.tierRequested]}`}
              </dd>
              {latest && (
                <>
                  <dt>{s.kycSubmitted}</dt>
                  <dd>{formatDate(latest.createdAt, language)}</dd>
                </>
              )}
              {latest?.decidedAt && (
                <>
                  <dt>{s.kycDecided}</dt>
                  <dd data-testid="kyc-decided">{formatDate(latest.decidedAt, language)}</dd>
                </>
              )}
              {latest?.rejectionReason && (
                <>
                  <dt>{s.kycReason}</dt>
                  <dd class="error" data-testid="kyc-reason">
                    {latest.rejectionReason}
                  </dd>
                </>
              )}
              <dt>{s.kycPhone}</dt>
              <dd>{kyc.phone ? <bdi dir="ltr">{digits(kyc.phone, language)}</bdi> : s.kycNoPhone}</dd>
            </dl>
          </section>
          {kyc.nextTier ? (
            <>
              <h2>{s.kycNext(s.kycTiers[kyc.nextTier] ?? kyc.nextTier)}</h2>
              <ul class="list" data-testid="kyc-needs">
                {kyc.nextTierNeeds.map((need) => (
                  <li key={need} data-need={need}>
                    {s.kycNeeds[need] ?? need}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p class="hint">{s.kycTop}</p>
          )}
        </>
      )}
    </main>
  );
}
