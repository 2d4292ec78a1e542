import { z } from 'zod';
import { TwinstreamError } from '../errors.ts';
import { Interpolator } from '../time/interpolator.ts';

/** An interpolation method name, checked against the registered ones when the config is read. */
export const interpolationField = z
  .string()
  .refine((m) => Interpolator.methods().includes(m), {
    error: (issue) =>
      `unknown interpolation ${JSON.stringify(issue.input)}; expected one of ${Interpolator.methods().join(', ')}`,
  })
  .default('previous');

/** A time tolerance: `'auto'` or an absolute number >= 0. */
export const toleranceField = z.union([z.literal('auto'), z.number().min(0)]).optional();

/**
 * Validates a handler's config against its schema. A bad config throws `TS_HANDLER_BAD_CONFIG` naming each wrong
 * field (its dot path) and what is accepted.
 *
 * @example
 * const config = parseHandlerConfig(z.object({ path: z.string() }).strict(), { path: 'in.csv' }, 'csv');
 */
export function parseHandlerConfig<S extends z.ZodType>(schema: S, config: unknown, type: string): z.output<S> {
  const result = schema.safeParse(config);
  if (result.success) return result.data;
  throw new TwinstreamError(
    'TS_HANDLER_BAD_CONFIG',
    `the config of a '${type}' handler is not valid:\n${z.prettifyError(result.error)}`,
    { context: { type, issues: result.error.issues } },
  );
}
