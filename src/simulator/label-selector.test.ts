import { describe, expect, it } from '@jest/globals';
import { SimulatorError } from './errors';
import { parseLabelSelector } from './label-selector';

describe('parseLabelSelector', () => {
  const labels = { app: 'orders', tier: 'prod', 'vpoperator.dev/managed': 'true' };

  it.each([
    ['app=orders', true],
    ['app==orders,tier=prod', true],
    ['app=payments', false],
    ['tier!=dev', true],
    ['tier!=prod', false],
    ['vpoperator.dev/managed', true],
    ['!owner', true],
    ['!app', false],
    ['', true],
    [' app = orders , tier ', true],
  ])('%j matches: %s', (selector, expected) => {
    expect(parseLabelSelector(selector)(labels)).toBe(expected);
  });

  it.each(['app=orders,=x', '!app=orders', 'a b=c'])(
    'refuses %j with a 400 naming the term',
    (selector) => {
      let error: unknown;
      try {
        parseLabelSelector(selector);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(SimulatorError);
      expect((error as SimulatorError).status).toBe(400);
      expect((error as SimulatorError).message).toContain('labelSelector term');
    },
  );
});
