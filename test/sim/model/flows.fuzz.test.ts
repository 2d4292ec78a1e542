// Flows of tasks and desflow blueprints from outside: a mutated model or blueprint validates (and then builds and
// runs a simulated minute) or is TS_SIM_BAD_MODEL; nothing else escapes (a run may still stop on an expression that
// reads what an entity lacks: TS_SIM_BAD_EXPRESSION).
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import YAML from 'yaml';
import { TwinstreamError } from '../../../src/index.ts';
import { RealtimeEnvironment } from '../../../src/sim/index.ts';
import { buildModel, validateModel } from '../../../src/sim/model/index.ts';
import { anyOutsideValue, fuzzParameters, mutate } from '../../support/fuzz.ts';

const FILES = [
  'examples/models/workshop.yaml',
  'examples/desflow/routing.yaml',
  'examples/desflow/stock.yaml',
  'examples/desflow/breakdowns.yaml',
].map((f) => new URL(`../../../${f}`, import.meta.url).pathname);
const models = FILES.map((f) => readFileSync(f, 'utf8'));

describe('mutated flows of tasks and desflow blueprints', () => {
  it('validate, or fail with TS_SIM_BAD_MODEL; a valid one builds and runs', async () => {
    const special = fc.constantFrom(
      'toString',
      '__proto__',
      'attr.x >',
      'count(nowhere)',
      'queue.lathe',
      -1,
      0,
      1e300,
      Number.POSITIVE_INFINITY,
      [],
      {},
      { expr: '1 +' },
      { when: [] },
      { weights: { pack: 0 } },
      { any: {} },
      { at_least: 5, of: { a: { timeout: 1 } } },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: models.length - 1 }),
        fc.array(
          fc.tuple(
            fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 5 }),
            fc.oneof(special, anyOutsideValue()),
          ),
          { minLength: 1, maxLength: 3 },
        ),
        async (which, edits) => {
          const m = YAML.parse(models[which]!);
          for (const [picks, value] of edits) mutate(m, picks, value);
          let spec: Awaited<ReturnType<typeof validateModel>>;
          try {
            spec = await validateModel(m, 'm');
          } catch (e) {
            if (e instanceof TwinstreamError && e.code === 'TS_SIM_BAD_MODEL') return true;
            throw e;
          }
          const env = new RealtimeEnvironment({ factor: 0 });
          try {
            buildModel(env, spec, 1);
            await env.run({ until: 60 });
          } catch (e) {
            if (e instanceof TwinstreamError) return true;
            throw e;
          }
          return true;
        },
      ),
      fuzzParameters(300),
    );
  });
});
