import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger, knownSecrets } from './logging';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes JSON lines at info level by default', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ destination: stream });
    logger.debug('hidden');
    logger.info({ key: 'ns/name' }, 'visible');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ msg: 'visible', key: 'ns/name' });
  });

  it('scrubs registered secret values anywhere in a line, at debug level', () => {
    const { lines, stream } = capture();
    const token = 'tok-4f1c2b9e-secret-value';
    knownSecrets.register(token);
    const logger = createLogger({ debug: true, destination: stream });
    logger.debug({ url: `http://vvp/api?t=${token}` }, `calling with ${token}`);
    logger.error(new Error(`request failed: Bearer ${token}`));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain(token);
      expect(line).toContain('[REDACTED]');
    }
  });

  it('redacts credential fields by path even when the value was never registered', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ debug: true, destination: stream });
    logger.debug({ headers: { Authorization: 'Bearer unregistered-token' } }, 'request');
    expect(lines.join('')).not.toContain('unregistered-token');
  });
});
