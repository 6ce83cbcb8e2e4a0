import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { AppHistoryDocument, type AppHistoryQuery } from '../../../sdk/index.js';
import { ScreenTop } from '../buttons.js';
import { useApp } from '../context.js';
import { describeError } from '../errors.js';
import { formatAmount, formatDate } from '../format.js';

type Node = AppHistoryQuery['me']['transactions']['edges'][number]['node'];

/** Sent and received transactions, newest first, the next page loaded when the end of the list scrolls into view. */
export function HistoryScreen(props: { onBack: () => void }) {
  const { session, language, s } = useApp();
  const [items, setItems] = useState<Node[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const loading = useRef(false);
  const sentinel = useRef<HTMLLIElement>(null);

  const loadMore = useCallback(async () => {
    if (loading.current || !more) return;
    loading.current = true;
    try {
      const { me } = await session.request(AppHistoryDocument, { after: cursor });
      const page = me.transactions;
      setItems((list) => [...list, ...page.edges.map((e) => e.node).filter((n) => !list.some((x) => x.id === n.id))]);
      setCursor(page.pageInfo.endCursor);
      setMore(page.pageInfo.hasNextPage);
      setError(null);
    } catch (err) {
      setError(describeError(err, language));
    } finally {
      loading.current = false;
    }
  }, [session, cursor, more, language]);

  useEffect(() => {
    const target = sentinel.current;
    if (!target || !more) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadMore();
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [loadMore, more]);

  return (
    <main class="screen" data-testid="history">
      <ScreenTop title={s.history} onBack={props.onBack} />
      <ul class="list" data-testid="transactions">
        {items.map((t) => {
          const outgoing = t.direction === 'OUT';
          const who = t.counterparty?.username;
          return (
            <li key={t.id} data-testid="transaction" data-kind={t.kind}>
              <div>
                <div class="strong">
                  {s.kinds[t.kind] ?? t.kind}
                  {who ? ` ${outgoing ? s.to(who) : s.from(who)}` : ''}
                </div>
                <div class="hint" data-testid="date">
                  {formatDate(t.createdAt, language)}
                </div>
              </div>
              <div class={`end amount ${outgoing ? 'out' : 'in'}`}>
                <bdi>
                  {outgoing ? '−' : '+'}
                  {formatAmount(t.amount, language)}
                </bdi>{' '}
                {t.asset.symbol}
              </div>
            </li>
          );
        })}
        {more && (
          <li ref={sentinel} class="hint center" data-testid="more">
            {s.loadMore}
          </li>
        )}
        {!more && <li class="hint center">{items.length ? s.endOfHistory : s.noHistory}</li>}
      </ul>
      {error && (
        <p class="error">
          {error}{' '}
          <button type="button" class="chip" onClick={() => void loadMore()}>
            {s.retry}
          </button>
        </p>
      )}
    </main>
  );
}
