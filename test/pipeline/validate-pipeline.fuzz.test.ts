// validatePipeline on anything at all: it returns a pipeline or refuses with TS_PIPELINE_BAD_SPEC, never another
// error, and never changes a prototype. Near-valid pipelines with one part replaced by garbage reach the deeper
// checks (steps, cross-references) too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TwinstreamError } from '../../src/errors.ts';
import { validatePipeline } from '../../src/pipeline/index.ts';
import { anyOutsideValue, fuzzParameters } from '../support/fuzz.ts';

const refusedOrValid = async (input: unknown) => {
  try {
    await validatePipeline(input, 'fuzz', undefined, {});
  } catch (error) {
    assert.ok(error instanceof TwinstreamError, String(error));
    assert.equal(error.code, 'TS_PIPELINE_BAD_SPEC');
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
};

test('any value: a pipeline or TS_PIPELINE_BAD_SPEC', async () => {
  await fc.assert(fc.asyncProperty(anyOutsideValue(), refusedOrValid), fuzzParameters(300));
});

test('a valid pipeline with one part replaced by anything', async () => {
  const part = fc.constantFrom('inputs', 'steps', 'outputs', 'functions', 'name');
  await fc.assert(
    fc.asyncProperty(part, anyOutsideValue(), fc.nat(3), async (key, garbage, i) => {
      const base: Record<string, unknown> = {
        functions: './f.js',
        inputs: [
          { name: 'a', type: 'jsonl', path: 'a.jsonl' },
          { name: 'b', type: 'csv', path: 'b.csv' },
        ],
        steps: [{ map: 'f' }, { join: { with: 'b' } }, { window: { size: '1m', aggregate: { n: 'count' } } }],
        outputs: [{ type: 'console' }],
      };
      const list = base[key];
      if (Array.isArray(list) && i < list.length) list[i] = garbage;
      else base[key] = garbage;
      await refusedOrValid(base);
    }),
    fuzzParameters(300),
  );
});
