import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { bindOnce, createLogger } from './logger.js';

describe('logger redaction', () => {
  it('never writes tokens, initData, passwords or mnemonics, at any depth we log them', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write: (chunk, _enc, done) => {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger({ name: 'test', level: 'trace', destination });
    const secrets = [
      'eyJhbGciOiJIUzI1NiJ9.secret-token',
      'query_id=AAH&user=%7B%7D&hash=abc',
      'hunter2hunter2',
      'abandon abandon about',
    ];
    log.info({ accessToken: secrets[0], initData: secrets[1], password: secrets[2] }, 'sign-in');
    log.debug({ input: { refreshToken: secrets[0], mnemonic: secrets[3] } }, 'nested');
    log.trace({ req: { headers: { authorization: `Bearer ${secrets[0]}` } } }, 'request');
    log.warn({ variables: { initData: secrets[1] } }, 'operation');
    const output = lines.join('');
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(output).toContain('[redacted]');
  });
});

describe('bindOnce', () => {
  it('binds only the keys a logger does not carry yet, so no line names a key twice', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write: (chunk, _enc, done) => {
        lines.push(String(chunk));
        done();
      },
    });
    const worker = createLogger({ name: 'test', level: 'info', destination }).child({ network: 'ETH' });
    bindOnce(worker, { network: 'ETH', provider: 'evm-rpc:eth' }).info('one');
    bindOnce(bindOnce(worker, { provider: 'evm-rpc:eth' }), { provider: 'evm-rpc:eth' }).info('two');
    for (const line of lines) {
      expect(line.match(/"network"/g)).toHaveLength(1);
      expect(line.match(/"provider"/g)).toHaveLength(1);
    }
    expect(lines).toHaveLength(2);
  });
});
