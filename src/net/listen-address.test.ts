import { describe, expect, it } from '@jest/globals';
import { parseListenAddress } from './listen-address';

describe('parseListenAddress', () => {
  it('parses host:port forms and 0 as disabled', () => {
    expect(parseListenAddress(':8080')).toEqual({ host: undefined, port: 8080 });
    expect(parseListenAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('[::1]:8081')).toEqual({ host: '::1', port: 8081 });
    expect(parseListenAddress('0')).toBeUndefined();
  });

  it('rejects anything else with an example of the expected form', () => {
    for (const bad of ['8080', 'localhost', ':99999', '::1:80', 'host:port']) {
      expect(() => parseListenAddress(bad)).toThrow(/is not a listen address: use \[host\]:port/);
    }
  });
});
