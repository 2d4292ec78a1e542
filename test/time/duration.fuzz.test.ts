// Durations from outside (configs, YAML, CLI flags): a finite number of ms >= 0 or TS_BAD_DURATION, never Infinity.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TwinstreamError, toMillis } from '../../src/index.ts';
import { fuzzParameters } from '../support/fuzz.ts';

const refused = (e: unknown) => e instanceof TwinstreamError && e.code === 'TS_BAD_DURATION' && e.message.length > 0;

describe('toMillis on values from outside', () => {
  it('refuses a duration whose number is too large to be finite', () => {
    assert.throws(() => toMillis(`1${'0'.repeat(400)}s`, 'window'), /window = "10+"\.\.\. is not a duration/);
    assert.throws(() => toMillis(`${'9'.repeat(320)}.5ms`), refused);
    assert.equal(toMillis('1.5s'), 1500);
  });

  it('gives a finite number >= 0 or TS_BAD_DURATION for any value', () => {
    const digits = fc.string({ unit: fc.constantFrom('0', '1', '9', '.'), maxLength: 500 });
    const text = fc.oneof(
      fc.string(),
      fc
        .tuple(digits, fc.constantFrom('ms', 's', 'm', 'h', 'd', 'x', ''), fc.constantFrom('', ' ', '\t'))
        .map(([n, u, pad]) => `${pad}${n}${pad}${u}${pad}`),
    );
    fc.assert(
      fc.property(fc.oneof(text, fc.double(), fc.anything()), (d) => {
        try {
          const ms = toMillis(d as never, 'fuzz');
          return Number.isFinite(ms) && ms >= 0;
        } catch (e) {
          return refused(e);
        }
      }),
      fuzzParameters(5000),
    );
  });
});
