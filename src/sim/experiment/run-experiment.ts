import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { TwinstreamError } from '../../errors.ts';
import { loadModel } from '../model/run.ts';
import type { ModelSpec } from '../model/spec.ts';
import { validateModel } from '../model/validate.ts';
import { type ReplicationSummary, replicate } from '../replicate/replicate.ts';
import { type ConfidenceInterval, studentT } from '../replicate/student-t.ts';
import { type ExperimentCheck, parseCheck, validateExperiment } from './experiment-spec.ts';

/** One variant's replications. */
export interface VariantResult {
  name: string;
  set: Record<string, unknown>;
  summary: ReplicationSummary;
}

/** A paired comparison of two variants on common seeds: b − a for each measure. */
export interface Comparison {
  a: string;
  b: string;
  /** The interval of the mean difference; `significant` when it excludes 0. */
  differences: (ConfidenceInterval & { measure: string; significant: boolean })[];
}

/** A check's outcome for one variant. */
export interface CheckResult extends ExperimentCheck {
  variantName: string;
  actual: number;
  passed: boolean;
}

/** What `runExperiment` found; `passed` is false when any check failed. */
export interface ExperimentResult {
  variants: VariantResult[];
  comparisons: Comparison[];
  checks: CheckResult[];
  passed: boolean;
  level: number;
}

/**
 * Runs an experiment: each variant of the model (named changes by dot path, and one per value of a sweep) for the
 * same replications on the same seeds, so the variants meet common random numbers; paired Student-t intervals of
 * the differences between variants; and checks on the measures' means (a failed one makes `passed` false).
 *
 * @example
 * const r = await runExperiment('study.yaml');
 * process.exitCode = r.passed ? 0 : 1;
 */
export async function runExperiment(file: string): Promise<ExperimentResult> {
  const { parse } = await import('yaml');
  let raw: unknown;
  try {
    const text = await readFile(file, 'utf8');
    raw = file.endsWith('.json') ? JSON.parse(text) : parse(text);
  } catch (error) {
    throw new TwinstreamError('TS_SIM_BAD_EXPERIMENT', `cannot read experiment ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const spec = await validateExperiment(raw, file);
  const modelFile = resolve(dirname(file), spec.model);
  const base = await loadModel(modelFile);
  const variants: { name: string; set: Record<string, unknown> }[] = Object.entries(spec.variants ?? { base: {} }).map(
    ([name, v]) => ({ name, set: v.set ?? {} }),
  );
  if (spec.sweep !== undefined) {
    const label = spec.sweep.name ?? spec.sweep.path;
    for (const value of spec.sweep.values) {
      variants.push({ name: `${label}=${String(value)}`, set: { [spec.sweep.path]: value } });
    }
  }
  const names = new Set(variants.map((v) => v.name));
  const level = spec.level ?? 0.95;
  const results: VariantResult[] = [];
  for (const v of variants) {
    const model = await validateModel(
      withChanges(base, v.set, `variant ${v.name}`),
      `${modelFile} (variant ${v.name})`,
    );
    const summary = await replicate(model, {
      replications: spec.replications,
      measures: spec.measures,
      level,
      ...(spec.workers === undefined ? {} : { workers: spec.workers }),
      ...(spec.until === undefined ? {} : { until: spec.until }),
      ...(spec.seed === undefined ? {} : { seed: spec.seed }),
    });
    results.push({ name: v.name, set: v.set, summary });
  }
  const byName = new Map(results.map((r) => [r.name, r]));
  const pairs = spec.compare ?? results.slice(1).map((r): [string, string] => [results[0]!.name, r.name]);
  const comparisons = pairs.map(([a, b]) => {
    for (const n of [a, b]) {
      if (!names.has(n)) {
        throw new TwinstreamError(
          'TS_SIM_BAD_EXPERIMENT',
          `compare: "${n}" is not a variant; expected one of: ${[...names].join(', ')}`,
        );
      }
    }
    return compare(byName.get(a)!, byName.get(b)!, spec.measures, level);
  });
  const checks: CheckResult[] = [];
  for (const text of spec.checks ?? []) {
    const c = parseCheck(text);
    if (c.variant !== null && !names.has(c.variant)) {
      throw new TwinstreamError(
        'TS_SIM_BAD_EXPERIMENT',
        `check "${text}": "${c.variant}" is not a variant; expected one of: ${[...names].join(', ')}`,
      );
    }
    for (const r of results) {
      if (c.variant !== null && c.variant !== r.name) continue;
      const m = r.summary.measures.find((x) => x.name === c.measure);
      if (m === undefined) {
        throw new TwinstreamError(
          'TS_SIM_BAD_EXPERIMENT',
          `check "${text}": "${c.measure}" is not one of the measures: ${spec.measures.join(', ')}`,
        );
      }
      const ok =
        c.op === '<'
          ? m.mean < c.value
          : c.op === '<='
            ? m.mean <= c.value
            : c.op === '>'
              ? m.mean > c.value
              : m.mean >= c.value;
      checks.push({ ...c, variantName: r.name, actual: m.mean, passed: ok });
    }
  }
  return { variants: results, comparisons, checks, passed: checks.every((c) => c.passed), level };
}

// The differences b − a, replication by replication: both ran on the same seeds, so the pairs share random numbers.
function compare(a: VariantResult, b: VariantResult, measures: string[], level: number): Comparison {
  const differences = measures.map((measure) => {
    const d: number[] = [];
    a.summary.runs.forEach((ra, i) => {
      const x = ra.statistics[measure.replace(`${a.summary.simId}.stats.`, '')];
      const y = b.summary.runs[i]!.statistics[measure.replace(`${b.summary.simId}.stats.`, '')];
      if (x !== undefined && y !== undefined) d.push(y - x);
    });
    const ci = studentT(d, level);
    return { measure, ...ci, significant: ci.low > 0 || ci.high < 0 };
  });
  return { a: a.name, b: b.name, differences };
}

// A copy of the model with `path: value` changes; every path must exist, and no key may reach a prototype.
function withChanges(model: ModelSpec, set: Record<string, unknown>, where: string): unknown {
  const copy = structuredClone(model) as unknown as Record<string, unknown>;
  for (const [path, value] of Object.entries(set)) {
    const keys = path.split('.');
    let node: Record<string, unknown> = copy;
    for (let i = 0; i < keys.length - 1; i++) {
      const next = Object.hasOwn(node, keys[i]!) ? node[keys[i]!] : undefined;
      if (next === null || typeof next !== 'object') {
        throw new TwinstreamError(
          'TS_SIM_BAD_EXPERIMENT',
          `${where}: "${path}" does not exist in the model; "${keys.slice(0, i).join('.') || 'the model'}" has ${Object.keys(node).join(', ')}`,
        );
      }
      node = next as Record<string, unknown>;
    }
    const last = keys[keys.length - 1]!;
    if (!Object.hasOwn(node, last)) {
      throw new TwinstreamError(
        'TS_SIM_BAD_EXPERIMENT',
        `${where}: "${path}" does not exist in the model; "${keys.slice(0, -1).join('.') || 'the model'}" has ${Object.keys(node).join(', ')}`,
      );
    }
    node[last] = value;
  }
  return copy;
}
