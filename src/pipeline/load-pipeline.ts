import { dirname, resolve } from 'node:path';
import { TwinstreamError } from '../errors.ts';
import { substituteVariables } from '../sim/model/substitute-variables.ts';
import { type ConfigIssue, describeIssues, readYamlFile } from '../sim/model/yaml-file.ts';
import { copyParameterValue } from '../sim/parameter-value.ts';
import { type PipelineSpec, pipelineSchema } from './pipeline-schema.ts';

/** A validated pipeline and where it came from. */
export interface LoadedPipeline {
  readonly spec: PipelineSpec;
  /** The file it was read from (or a description of the object). */
  readonly source: string;
  /** The folder that input paths, the functions module and sim models are relative to. */
  readonly dir: string;
  /** The line of a path in the file, when known. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

let cached: ReturnType<typeof pipelineSchema> | null = null;

/**
 * Checks a pipeline (data parsed from YAML or JSON) against the pipeline file reference (docs/pipelines.md), after
 * replacing `${NAME}` and `${NAME:-default}` in its string values with environment variables from `env` (the rule
 * model files follow too). An invalid one
 * throws `TS_PIPELINE_BAD_SPEC` listing every problem: its path (`steps[2].window.grace`), its line
 * when `lineOf` can tell it, and what is accepted there.
 *
 * @example
 * import { validatePipeline } from 'twinstream/pipeline';
 * const spec = await validatePipeline({ inputs: [{ type: 'jsonl', path: 'in.jsonl' }], outputs: [{ type: 'console' }] });
 */
export async function validatePipeline(
  input: unknown,
  source = 'the pipeline',
  lineOf?: (path: readonly PropertyKey[]) => number | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<PipelineSpec> {
  const { z } = await import('zod');
  cached ??= pipelineSchema(z);
  const issues: ConfigIssue[] = [];
  // As data first, all of it: no `__proto__`, `constructor` or `prototype` key anywhere, nothing nested past what
  // any pipeline needs, no functions or instances.
  try {
    copyParameterValue(input, '');
  } catch (error) {
    const e = error as TwinstreamError;
    const at = (e.context?.at as (string | number)[] | undefined) ?? [];
    const prefix = `${e.context?.path} `;
    issues.push({ path: at, message: e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message });
  }
  // Only on data found safe: no key here can reach a prototype.
  if (issues.length === 0) {
    input = substituteVariables(input, env, (name, path) => {
      issues.push({
        path,
        message: `the environment variable ${name} is not set; set it or write \${${name}:-default}`,
      });
    });
  }
  const result = cached.safeParse(input);
  if (result.success && issues.length === 0) return result.data;
  issues.push(...(result.error?.issues ?? []));
  throw new TwinstreamError(
    'TS_PIPELINE_BAD_SPEC',
    `${source} is not a valid pipeline:\n${describeIssues(z, issues, lineOf)}`,
    { context: { source, issues } },
  );
}

/**
 * Reads and validates a pipeline file (`.json` as JSON, anything else as YAML), before anything starts. Paths in
 * it are relative to the file's folder.
 *
 * @example
 * import { loadPipeline } from 'twinstream/pipeline';
 * const pipeline = await loadPipeline('examples/pipelines/csv-windows.yaml');
 * console.log(pipeline.spec.inputs.length); // 1
 */
export async function loadPipeline(file: string): Promise<LoadedPipeline> {
  const { data, lineOf } = await readYamlFile(file, 'TS_PIPELINE_BAD_SPEC', 'pipeline');
  const spec = await validatePipeline(data, file, lineOf);
  return { spec, source: file, dir: dirname(resolve(file)), lineOf };
}

/**
 * A `TS_PIPELINE_BAD_SPEC` error for one path of a validated pipeline found wrong while building it (a function
 * the module does not export, an output this build cannot make), with its line.
 * @internal
 */
export function specError(pipeline: LoadedPipeline, path: (string | number)[], message: string): TwinstreamError {
  const line = pipeline.lineOf(path);
  const at = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
  return new TwinstreamError(
    'TS_PIPELINE_BAD_SPEC',
    `${pipeline.source} is not a valid pipeline:\n✖ ${message}\n  → at ${at}${line === undefined ? '' : ` (line ${line})`}`,
    { context: { source: pipeline.source, path } },
  );
}
