import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import {
  AppOpenTicketDocument,
  AppReplyToTicketDocument,
  AppTicketDocument,
  AppTicketUpdatedDocument,
  AppTicketsDocument,
  type AppTicketQuery,
  type AppTicketsQuery,
} from '../../../sdk/index.js';
import { BackButton, MainButton, ScreenTop } from '../buttons.js';
import { useApp } from '../context.js';
import { describeError } from '../errors.js';
import { formatDate } from '../format.js';

type Summary = AppTicketsQuery['me']['tickets']['edges'][number]['node'];
type Thread = AppTicketQuery['ticket'];
type View = { kind: 'list' } | { kind: 'new' } | { kind: 'ticket'; id: string };

/**
 * Support tickets: my tickets (newest first, live through ticketUpdated), a new ticket (subject and message), and a
 * ticket's thread with a reply box. Texts are plain text, shown as text only.
 */
export function SupportScreen(props: { onBack: () => void }) {
  const { session, live, language, s } = useApp();
  const [view, setView] = useState<View>({ kind: 'list' });
  const [tickets, setTickets] = useState<Summary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const viewRef = useRef(view);
  viewRef.current = view;
  const [threadVersion, setThreadVersion] = useState(0);

  const load = useCallback(async () => {
    try {
      const { me } = await session.request(AppTicketsDocument, {});
      setTickets(me.tickets.edges.map((e) => e.node));
      setError(null);
    } catch (err) {
      setError(describeError(err, language));
    }
  }, [session, language]);

  useEffect(() => {
    void load();
    const off = live.subscribe(AppTicketUpdatedDocument, ({ ticketUpdated: t }) => {
      setTickets((list) => (list ? [t, ...list.filter((x) => x.id !== t.id)] : list));
      const current = viewRef.current;
      if (current.kind === 'ticket' && current.id === t.id) setThreadVersion((v) => v + 1);
    });
    const offReconnect = live.onReconnected(() => void load());
    return () => {
      off();
      offReconnect();
    };
  }, [live, load]);

  const opened = (ticket: Summary) => {
    setTickets((list) => [ticket, ...(list ?? []).filter((x) => x.id !== ticket.id)]);
    setView({ kind: 'ticket', id: ticket.id });
  };

  if (view.kind === 'new') return <NewTicket onBack={() => setView({ kind: 'list' })} onOpened={opened} />;
  if (view.kind === 'ticket')
    return <TicketThread id={view.id} version={threadVersion} onBack={() => setView({ kind: 'list' })} />;

  return (
    <main class="screen" data-testid="support">
      <ScreenTop title={s.support} onBack={props.onBack} />
      {error && (
        <p class="error" role="alert" data-testid="error">
          {error}
        </p>
      )}
      <ul class="list" data-testid="tickets">
        {tickets?.map((t) => (
          <li
            key={t.id}
            class="clickable"
            data-testid="ticket"
            data-status={t.status}
            onClick={() => setView({ kind: 'ticket', id: t.id })}
          >
            <div>
              <div class="strong" dir="auto">
                {t.subject}
              </div>
              <div class="hint">{formatDate(t.updatedAt, language)}</div>
            </div>
            <div class={`end status ${t.status.toLowerCase()}`}>{s.ticketStatuses[t.status] ?? t.status}</div>
          </li>
        ))}
        {tickets?.length === 0 && <li class="hint center">{s.noTickets}</li>}
      </ul>
      <MainButton text={s.newTicket} onClick={() => setView({ kind: 'new' })} />
    </main>
  );
}

function NewTicket(props: { onBack: () => void; onOpened: (ticket: Summary) => void }) {
  const { session, language, s } = useApp();
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const ready = subject.trim().length > 0 && body.trim().length > 0;

  const submit = async () => {
    if (!ready || busy) return;
    setBusy(true);
    setMessage(null);
    try {
      const { openTicket } = await session.request(AppOpenTicketDocument, {
        input: { subject: subject.trim(), body: body.trim() },
      });
      props.onOpened(openTicket);
    } catch (err) {
      setMessage(describeError(err, language));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="screen" data-testid="new-ticket">
      <ScreenTop title={s.newTicket} onBack={props.onBack} />
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          <span class="hint">{s.subject}</span>
          <input
            data-testid="subject"
            value={subject}
            maxLength={200}
            onInput={(e) => setSubject(e.currentTarget.value)}
          />
        </label>
        <label>
          <span class="hint">{s.message}</span>
          <textarea
            data-testid="body"
            value={body}
            maxLength={20_000}
            onInput={(e) => setBody(e.currentTarget.value)}
          />
        </label>
        {message && (
          <p class="error" role="alert" data-testid="error">
            {message}
          </p>
        )}
      </form>
      <MainButton
        text={busy ? s.opening : s.openTicket}
        enabled={ready && !busy}
        loading={busy}
        onClick={() => void submit()}
      />
    </main>
  );
}

function TicketThread(props: { id: string; version: number; onBack: () => void }) {
  const { session, language, s } = useApp();
  const [ticket, setTicket] = useState<Thread | null>(null);
  const [reply, setReply] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setTicket((await session.request(AppTicketDocument, { id: props.id })).ticket);
    } catch (err) {
      setMessage(describeError(err, language));
    }
  }, [session, language, props.id]);

  useEffect(() => void load(), [load, props.version]);

  const send = async () => {
    const body = reply.trim();
    if (!body || busy) return;
    setBusy(true);
    setMessage(null);
    try {
      const { replyToTicket } = await session.request(AppReplyToTicketDocument, { ticketId: props.id, body });
      setTicket((t) =>
        t ? { ...t, messages: [...t.messages.filter((m) => m.id !== replyToTicket.id), replyToTicket] } : t,
      );
      setReply('');
    } catch (err) {
      setMessage(describeError(err, language));
    } finally {
      setBusy(false);
    }
  };

  const closed = ticket?.status === 'CLOSED';
  return (
    <main class="screen" data-testid="ticket-thread">
      <header class="top">
        <BackButton onBack={props.onBack} />
        <h1 dir="auto">{ticket?.subject ?? s.support}</h1>
      </header>
      {ticket && (
        <>
          <p
            class={`hint status ${ticket.status.toLowerCase()}`}
            data-testid="ticket-status"
            data-status={ticket.status}
          >
            {s.ticketStatuses[ticket.status] ?? ticket.status}
            {s.sep}
            {formatDate(ticket.createdAt, language)}
          </p>
          <div class="thread" data-testid="messages">
            {ticket.messages.map((m) => (
              <div key={m.id} class={`bubble ${m.author === 'USER' ? 'user' : 'staff'}`} data-testid="message">
                <div class="hint">
                  {m.author === 'USER' ? s.you : s.staff}
                  {s.sep}
                  {formatDate(m.createdAt, language)}
                </div>
                <div data-testid="message-body" dir="auto">
                  {m.body}
                </div>
              </div>
            ))}
          </div>
          {closed ? (
            <p class="hint">{s.ticketClosed}</p>
          ) : (
            <form
              class="form"
              onSubmit={(e) => {
                e.preventDefault();
                void send();
              }}
            >
              <label>
                <span class="hint">{s.reply}</span>
                <textarea
                  data-testid="reply"
                  value={reply}
                  maxLength={20_000}
                  onInput={(e) => setReply(e.currentTarget.value)}
                />
              </label>
            </form>
          )}
        </>
      )}
      {message && (
        <p class="error" role="alert" data-testid="error">
          {message}
        </p>
      )}
      {!closed && (
        <MainButton
          text={busy ? s.replying : s.reply}
          enabled={reply.trim().length > 0 && !busy}
          loading={busy}
          onClick={() => void send()}
        />
      )}
    </main>
  );
}
