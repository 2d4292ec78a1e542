import { simTimeJsonSchema } from './distribution-schema.ts';
import { modelSchema } from './validate.ts';

/**
 * The JSON Schema (draft 2020-12) of a model file, generated from the schema `validateModel` checks with: point an
 * editor at it (a `# yaml-language-server: $schema=model.schema.json` line in a YAML model) and it validates and
 * completes as you type. Times show both forms they take, seconds or a duration string. Rules between fields (names
 * that must exist, a lognormal's two forms) are checked when the model is loaded, not by the JSON Schema.
 *
 * @example
 * import { modelJsonSchema } from 'twinstream/sim';
 * const schema = await modelJsonSchema();
 * console.log(schema.required); // prints: [ 'simId', 'arrival', 'service', 'flows', 'run' ]
 */
export async function modelJsonSchema(): Promise<Record<string, unknown>> {
  const { z } = await import('zod');
  const schema = z.toJSONSchema(await modelSchema(), {
    io: 'input',
    unrepresentable: 'any',
    override: ((ctx: { zodSchema: unknown; jsonSchema: Record<string, unknown> }) => {
      simTimeJsonSchema(ctx);
      // The only custom schema of a model is an unlimited capacity (`.inf` in YAML): a number past every finite one,
      // rather than the "anything" a custom schema would become.
      if ((ctx.zodSchema as { _zod?: { def?: { type?: string } } })._zod?.def?.type === 'custom') {
        ctx.jsonSchema.type = 'number';
        ctx.jsonSchema.minimum = Number.MAX_VALUE;
        ctx.jsonSchema.description = 'infinity (.inf in YAML): no limit';
      }
    }) as never,
  }) as Record<string, unknown>;
  return {
    ...schema,
    title: 'twinstream simulation model',
  };
}
