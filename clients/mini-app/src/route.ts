/**
 * Hash routes (`#/kyc`, `#/support`, …) beside Telegram's launch parameters in the same hash. A web_app button to
 * `/app#/kyc` is opened with the launch parameters appended (`#/kyc?tgWebAppData=…`, some clients use `&`); a plain
 * launch has only the parameters (`#tgWebAppData=…`). The route is the leading `/segment`, the rest the parameters.
 */
export const ROUTES = [
  'home',
  'receive',
  'send',
  'history',
  'kyc',
  'support',
  'trade',
  'withdraw',
  'vouchers',
] as const;
export type Route = (typeof ROUTES)[number];

function split(hash: string): { route: string; params: string } {
  const text = hash.replace(/^#/, '');
  if (!text.startsWith('/')) return { route: '', params: text };
  const cut = text.search(/[?&]/);
  return cut < 0 ? { route: text.slice(1), params: '' } : { route: text.slice(1, cut), params: text.slice(cut + 1) };
}

/** The route named by the hash, home when none or unknown. */
export function routeOf(hash: string): Route {
  const { route } = split(hash);
  return (ROUTES as readonly string[]).includes(route) ? (route as Route) : 'home';
}

/** The launch parameters of the hash, whether or not a route precedes them. */
export function launchParams(hash: string): URLSearchParams {
  return new URLSearchParams(split(hash).params);
}

/** The hash for a route, keeping the launch parameters (a reload signs in again and reopens the same screen). */
export function hashFor(route: Route, hash: string): string {
  const { params } = split(hash);
  const path = route === 'home' ? '' : `/${route}`;
  if (!path) return `#${params}`;
  return params ? `#${path}?${params}` : `#${path}`;
}
