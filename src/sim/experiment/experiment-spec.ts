import { TwinstreamError } from '../../errors.ts';

/** A check on a measure's mean: `tasks.milling.wait_p95 < 60`, optionally for one variant (`six: …`). */
export interface ExperimentCheck {
  /** The variant it applies to, or null for every variant. */
  variant: string | null;
  measure: string;
  op: '<' | '<=' | '>' | '>=';
  value: number;
  /** The text as written. */
  text: string;
}

/** An experiment: a model, its variants (changes to the model by dot path), replications, comparisons, checks. */
export interface ExperimentSpec {
  /** The model file, relative to the experiment file. */
  model: string;
  replications: number;
  workers?: number;
  until?: number;
  seed?: number;
  level?: number;
  measures: string[];
  /** Named variants, each a set of `path: value` changes to the model (`resources.lathe.currentCap: 5`). */
  variants?: Record<string, { set?: Record<string, unknown> }>;
  /** A sweep: one variant per value of `path`, named `<name or path>=<value>`. */
  sweep?: { path: string; values: unknown[]; name?: string };
  /** Pairs compared on common seeds: `[a, b]` gives b − a; default every variant against the first. */
  compare?: [string, string][];
  checks?: string[];
}

const CHECK = /^\s*(?:([A-Za-z0-9_=.-]+)\s*:\s+)?([A-Za-z0-9_.-]+)\s*(<=|>=|<|>)\s*(-?[\d.]+(?:e[+-]?\d+)?)\s*$/;

/**
 * Parses a check such as `tasks.milling.wait_p95 < 60` or `six: resources.lathe.utilization_avg <= 90`; a bad one
 * throws `TS_SIM_BAD_EXPERIMENT` with what is accepted.
 *
 * @example
 * parseCheck('tasks.milling.wait_p95 < 60'); // { variant: null, measure: 'tasks.milling.wait_p95', op: '<', value: 60, … }
 */
export function parseCheck(text: string, where = 'checks'): ExperimentCheck {
  const m = CHECK.exec(text);
  if (m === null || !Number.isFinite(Number(m[4]))) {
    throw new TwinstreamError(
      'TS_SIM_BAD_EXPERIMENT',
      `${where}: "${text}" is not a check; expected "[variant: ]<measure> <|<=|>|>= <number>", such as "tasks.milling.wait_p95 < 60"`,
    );
  }
  return { variant: m[1] ?? null, measure: m[2]!, op: m[3] as ExperimentCheck['op'], value: Number(m[4]), text };
}

/**
 * Validates an experiment (parsed from YAML or JSON); errors name the field and what it accepts.
 *
 * @example
 * const spec = await validateExperiment(YAML.parse(text), 'study.yaml');
 */
export async function validateExperiment(input: unknown, source = 'experiment'): Promise<ExperimentSpec> {
  const { z } = await import('zod');
  const dotPath = z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, { error: 'expected a dot path such as resources.lathe.currentCap' })
    .refine((p) => !p.split('.').some((k) => k === '__proto__' || k === 'constructor' || k === 'prototype'), {
      error: 'expected a dot path without __proto__, constructor or prototype',
    });
  const name = z.string().regex(/^[A-Za-z0-9_=.-]+$/, { error: 'expected a name of letters, digits, _ - . =' });
  const schema = z.strictObject({
    model: z.string().min(1),
    replications: z.int().min(2, { error: 'expected an integer >= 2' }),
    workers: z.int().min(1).optional(),
    until: z.number().positive().optional(),
    seed: z.int().min(1).max(4294967295).optional(),
    level: z.number().gt(0).lt(1, { error: 'expected a number between 0 and 1, such as 0.95' }).optional(),
    measures: z.array(z.string().min(1)).min(1, { error: 'expected at least one measure' }),
    variants: z.record(name, z.strictObject({ set: z.record(dotPath, z.unknown()).optional() })).optional(),
    sweep: z.strictObject({ path: dotPath, values: z.array(z.unknown()).min(1), name: name.optional() }).optional(),
    compare: z.array(z.tuple([name, name])).optional(),
    checks: z.array(z.string()).optional(),
  });
  const r = schema.safeParse(input);
  if (!r.success) {
    throw new TwinstreamError(
      'TS_SIM_BAD_EXPERIMENT',
      `${source} is not a valid experiment:\n${z.prettifyError(r.error)}`,
      {
        context: { source, issues: r.error.issues },
      },
    );
  }
  const spec = r.data as ExperimentSpec;
  spec.checks?.forEach((c, i) => {
    parseCheck(c, `${source}: checks[${i}]`);
  });
  return spec;
}
