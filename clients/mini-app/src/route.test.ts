import { describe, expect, it } from 'vitest';
import { hashFor, launchParams, routeOf } from './route.js';

const LAUNCH = 'tgWebAppData=user%3D%7B%7D%26hash%3Dab&tgWebAppVersion=7.0';

describe('hash routes beside Telegram launch parameters', () => {
  it('reads the route before the parameters, with ? or &', () => {
    expect(routeOf(`#/kyc?${LAUNCH}`)).toBe('kyc');
    expect(routeOf(`#/support&${LAUNCH}`)).toBe('support');
    expect(routeOf('#/trade')).toBe('trade');
    expect(routeOf(`#${LAUNCH}`)).toBe('home');
    expect(routeOf('')).toBe('home');
    expect(routeOf(`#/nowhere?${LAUNCH}`)).toBe('home');
  });

  it('reads the launch parameters whether or not a route precedes them', () => {
    for (const hash of [`#${LAUNCH}`, `#/kyc?${LAUNCH}`, `#/withdraw&${LAUNCH}`])
      expect(launchParams(hash).get('tgWebAppData')).toBe('user={}&hash=ab');
    expect(launchParams('#/kyc').get('tgWebAppData')).toBeNull();
  });

  it('moves between routes keeping the parameters', () => {
    expect(hashFor('vouchers', `#${LAUNCH}`)).toBe(`#/vouchers?${LAUNCH}`);
    expect(hashFor('home', `#/vouchers?${LAUNCH}`)).toBe(`#${LAUNCH}`);
    expect(routeOf(hashFor('withdraw', `#/kyc&${LAUNCH}`))).toBe('withdraw');
    expect(hashFor('support', '')).toBe('#/support');
  });
});
