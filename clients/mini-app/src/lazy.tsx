import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useApp } from './context.js';

/**
 * A screen loaded on first use, as its own chunk (same origin, so the CSP's script-src 'self' allows it): the first
 * load stays the size of home, receive, send and history. Loaded once, then rendered at once on every visit.
 */
export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<ComponentType<P>> | null = null;
  return function LazyScreen(props: P) {
    const { s } = useApp();
    const [Screen, setScreen] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (loaded) return;
      let mounted = true;
      pending ??= load().then((component) => (loaded = component));
      pending.then(
        (component) => mounted && setScreen(() => component),
        () => {
          pending = null; // offline: the next visit tries again
          if (mounted) setFailed(true);
        },
      );
      return () => {
        mounted = false;
      };
    }, []);
    if (Screen) return <Screen {...props} />;
    return (
      <main class="screen center" data-testid="screen-loading">
        <p class={failed ? 'error' : 'hint'}>{failed ? s.errors.NETWORK : s.loadMore}</p>
      </main>
    );
  };
}
