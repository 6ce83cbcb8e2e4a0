import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientIpResolver } from './client-ip.js';

const request = (peer: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as IncomingMessage;

describe('clientIpResolver', () => {
  it('ignores X-Forwarded-For from anyone but a trusted proxy', () => {
    const ip = clientIpResolver([]);
    expect(ip(request('203.0.113.9', '198.51.100.1'))).toBe('203.0.113.9');
    expect(clientIpResolver(['10.0.0.1'])(request('203.0.113.9', '198.51.100.1'))).toBe('203.0.113.9');
  });

  it('reads the chain from the right, skipping trusted proxies (addresses and CIDR ranges, IPv4 and IPv6)', () => {
    const ip = clientIpResolver(['10.0.0.1', '172.16.0.0/12', 'fd00::/8']);
    expect(ip(request('10.0.0.1', '198.51.100.1'))).toBe('198.51.100.1');
    // a client-supplied first hop cannot override what the proxy appended
    expect(ip(request('10.0.0.1', '1.2.3.4, 198.51.100.1'))).toBe('198.51.100.1');
    expect(ip(request('::ffff:10.0.0.1', '198.51.100.1, 172.20.1.1'))).toBe('198.51.100.1');
    expect(ip(request('fd00::5', '2001:db8::7'))).toBe('2001:db8::7');
    expect(ip(request('10.0.0.1', '172.16.0.2'))).toBe('172.16.0.2');
    expect(ip(request('10.0.0.1'))).toBe('10.0.0.1');
    expect(ip(request('10.0.0.1', 'not-an-ip, 198.51.100.1'))).toBe('198.51.100.1');
    expect(ip(request('10.0.0.1', '198.51.100.1, garbage'))).toBe('10.0.0.1');
  });
});
