import { TwinstreamError } from '../../errors.ts';
import { MAX_RATE, validateDistribution } from '../distributions.ts';
import { SIM_DURATION_PATTERN, SIM_DURATION_UNITS, simSeconds } from '../sim-duration.ts';

type Zod = typeof import('zod').z;
type Schema = import('zod').ZodType;

/**
 * The schemas of simulated times (a number of seconds or a duration string such as `'5 min'`), so the JSON Schema
 * of a model offers both: zod would render only the number its preprocessing leads to.
 * @internal
 */
export const SIM_TIME_SCHEMAS = new WeakSet<object>();

/**
 * A simulated time: a number checked by `inner`, or a duration string (`'90s'`, `'5 min'`, `'2.5 hours'`, `'7d'`)
 * turned into seconds first. A string with an unknown unit reaches `inner` as it is, which refuses it by name.
 *
 * @example
 * const until = simTimeSchema(z, z.number().positive()); // accepts 3600 and '1h'
 * @internal
 */
export function simTimeSchema<S extends Schema>(z: Zod, inner: S) {
  const schema = z.preprocess((v) => (typeof v === 'string' ? (simSeconds(v) ?? v) : v), inner);
  SIM_TIME_SCHEMAS.add(schema);
  return schema;
}

/**
 * The JSON Schema of a simulated time, for the `override` hook of zod's `toJSONSchema`: the number's own schema or
 * a duration string.
 *
 * @example
 * z.toJSONSchema(schema, { io: 'input', override: simTimeJsonSchema });
 * @internal
 */
export function simTimeJsonSchema(ctx: { zodSchema: unknown; jsonSchema: Record<string, unknown> }): void {
  if (!SIM_TIME_SCHEMAS.has(ctx.zodSchema as object)) return;
  const number = { ...ctx.jsonSchema };
  for (const k of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[k];
  ctx.jsonSchema.anyOf = [
    number,
    {
      type: 'string',
      pattern: SIM_DURATION_PATTERN,
      description: `a duration: a number and a unit (${SIM_DURATION_UNITS})`,
    },
  ];
}

/**
 * The schema of a distribution in a model: the families of `DistributionConfig`, their times as seconds or duration
 * strings (`mean: 5 min`), and the rules between fields (a lognormal's `{ mean, std }` or `{ mu, sigma }`, an
 * empirical's values or histogram) checked by `validateDistribution`, so models and the sampler agree.
 *
 * @example
 * const distribution = distributionSchema(z);
 * distribution.parse({ dist: 'normal', mean: '2 min', std: '10s' }); // { dist: 'normal', mean: 120, std: 10 }
 * @internal
 */
export function distributionSchema(z: Zod) {
  const finite = z.number({ error: 'expected a number' }).finite({ error: 'expected a finite number' });
  const positive = finite.gt(0, { error: 'expected a number > 0' });
  const nonNegative = finite.min(0, { error: 'expected a number >= 0' });
  const time = simTimeSchema(z, finite);
  const span = simTimeSchema(z, nonNegative);
  const scale = simTimeSchema(z, positive);
  const clip = { min: time.optional(), max: time.optional() };
  const family = <T extends string>(dist: T, shape: Record<string, Schema>) =>
    z.strictObject({ dist: z.literal(dist), ...shape, ...clip });
  const union = z.discriminatedUnion(
    'dist',
    [
      family('exponential', {
        rate: positive.max(MAX_RATE, { error: `expected a rate <= ${MAX_RATE} per time unit` }),
      }),
      family('normal', { mean: time, std: span }),
      // { mean, std } of the values (desflow), { mu, sigma } or { mean, sigma } of their logarithm.
      family('lognormal', {
        mean: time.optional(),
        std: span.optional(),
        mu: finite.optional(),
        sigma: nonNegative.optional(),
      }),
      family('truncated_normal', { mean: time, std: span, low: time.optional(), high: time.optional() }),
      family('uniform', { low: time, high: time }),
      family('triangular', { low: time, mode: time, high: time }),
      family('gamma', { shape: positive, scale }),
      family('weibull', { shape: positive, scale }),
      family('constant', { value: time }),
      family('empirical', {
        values: z.array(time).min(1, { error: 'expected at least one value' }).optional(),
        weights: z.array(nonNegative).optional(),
        edges: z.array(time).min(2, { error: 'expected at least two edges' }).optional(),
        counts: z.array(nonNegative).optional(),
      }),
      // Recorded arrival times: in the model, or read from a CSV or Parquet file when the model is loaded.
      family('replay', {
        times: z.array(time).optional(),
        file: z.string().min(1).max(1024).optional(),
        column: z.string().min(1).optional(),
        unit: z.enum(['ms', 's', 'min', 'h', 'timestamp']).optional(),
        fields: z.union([z.literal('all'), z.array(z.string().min(1))]).optional(),
        onInvalid: z.enum(['error', 'skip']).optional(),
      }),
    ],
    {
      error:
        'expected dist to be one of exponential, normal, lognormal, truncated_normal, uniform, triangular, gamma, weibull, constant, empirical, replay',
    },
  );
  return union.check((ctx) => {
    try {
      validateDistribution(ctx.value, '');
    } catch (error) {
      if (!(error instanceof TwinstreamError)) throw error;
      const field = String(error.context?.path ?? 'dist');
      const at = error.message.indexOf('; expected ');
      ctx.issues.push({
        code: 'custom',
        input: error.context?.value,
        path: [field],
        message: at < 0 ? error.message : error.message.slice(at + 2),
      });
    }
  });
}
