import { useEffect, useRef } from 'preact/hooks';
import { useApp } from './context.js';

/**
 * Telegram's MainButton for this screen (the bottom bar in the client). Outside Telegram the same button is drawn
 * in the page, with the same handler, so the app can be used and tested in a browser tab.
 */
export function MainButton(props: { text: string; enabled?: boolean; loading?: boolean; onClick: () => void }) {
  const { telegram } = useApp();
  const handler = useRef(props.onClick);
  handler.current = props.onClick;
  const enabled = props.enabled ?? true;
  const loading = props.loading ?? false;
  useEffect(() => {
    telegram.setMainButton({ text: props.text, enabled, loading }, () => handler.current());
  }, [telegram, props.text, enabled, loading]);
  useEffect(() => () => telegram.setMainButton(null, () => undefined), [telegram]);
  if (telegram.embedded) return null;
  return (
    <button
      type="button"
      class="main-button"
      data-testid="main-button"
      disabled={!enabled}
      aria-busy={loading}
      onClick={() => handler.current()}
    >
      {props.text}
    </button>
  );
}

/** Telegram's BackButton while this screen is open; an arrow in the page outside Telegram. */
export function BackButton(props: { onBack: () => void }) {
  const { telegram } = useApp();
  const handler = useRef(props.onBack);
  handler.current = props.onBack;
  useEffect(() => {
    telegram.setBackButton(() => handler.current());
    return () => telegram.setBackButton(null);
  }, [telegram]);
  if (telegram.embedded) return null;
  return (
    <button type="button" class="back-button" data-testid="back" aria-label="back" onClick={() => handler.current()}>
      <span aria-hidden="true">‹</span>
    </button>
  );
}

/** A screen's top bar: the back button (Telegram's, or the in-page arrow) and the title. */
export function ScreenTop(props: { title: string; onBack: () => void }) {
  return (
    <header class="top">
      <BackButton onBack={props.onBack} />
      <h1>{props.title}</h1>
    </header>
  );
}
