import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { TwinstreamError } from '../../errors.ts';
import { substituteVariables, type Variables } from './substitute-variables.ts';
import { parseYaml } from './yaml-file.ts';

/** Where a dot path of a model lies: a line, and the file when it is not the model file itself. */
export type LineOf = (path: readonly PropertyKey[]) => string | number | undefined;

/** A model file read: its data with `${VAR}`s replaced and `!include`s loaded, and where each path came from. */
export interface ModelFile {
  data: unknown;
  lineOf: LineOf;
}

/** Options of `readModelFile`. */
export interface ReadModelFileOptions {
  /** The variables `${NAME}` reads (default `process.env`). */
  env?: Variables;
}

const MAX_INCLUDE_DEPTH = 16;

// An `!include` met while parsing, replaced by the included file's data once the document is read.
class Include {
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }
}

function refuse(message: string, cause?: unknown): never {
  throw new TwinstreamError('TS_SIM_BAD_MODEL', message, cause === undefined ? {} : { cause });
}

/** The data with its `${NAME}`s replaced in values; an unset one with no default is refused with its line. */
function substitute(
  data: unknown,
  env: Variables,
  shown: string,
  lineOf: LineOf,
  at: (string | number)[] = [],
): unknown {
  return substituteVariables(
    data,
    env,
    (name, path) => {
      const line = lineOf(path);
      const where = line === undefined ? ` at ${path.join('.')}` : ` line ${line}`;
      refuse(`${shown}${where}: \${${name}} is not set and has no default; set ${name}, or write \${${name}:-value}`);
    },
    at,
  );
}

/**
 * Reads a model file: `.json` as JSON, anything else as YAML, then replaces `${NAME}` and `${NAME:-default}`
 * (environment variables) in its values, as pipeline files do (a variable in a comment or a key is left alone; see
 * `substituteVariables`). In YAML, `!include other.yaml` (a path relative to the including file) stands for that
 * file's content, which may include others in turn; `lineOf` tells the line of a dot path, with the included file's
 * name when the path leads into one (`3 of parts.yaml`).
 *
 * @example
 * const { data, lineOf } = await readModelFile('line-a.yaml');
 * @internal
 */
export async function readModelFile(file: string, options: ReadModelFileOptions = {}): Promise<ModelFile> {
  return read(file, options.env ?? process.env, [], file);
}

async function read(file: string, env: Variables, stack: string[], shown: string): Promise<ModelFile> {
  const full = resolve(file);
  if (stack.includes(full)) refuse(`${shown} includes itself (through ${stack.join(' → ')}); remove the cycle`);
  if (stack.length >= MAX_INCLUDE_DEPTH) refuse(`${shown}: includes nest more than ${MAX_INCLUDE_DEPTH} deep`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return refuse(`cannot read model ${shown}: ${(error as Error).message}`, error);
  }
  if (file.endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return refuse(`${shown} is not valid JSON: ${(error as Error).message}`, error);
    }
    const lineOf: LineOf = () => undefined;
    return { data: substitute(json, env, shown, lineOf), lineOf };
  }
  const includeTag = { tag: '!include', resolve: (value: string) => new Include(value) };
  const parsed = await parseYaml(text, shown, 'TS_SIM_BAD_MODEL', [includeTag]);
  let data = substitute(parsed.data, env, shown, parsed.lineOf);
  // Included files, by the dot path where each one's content sits.
  const included: { at: readonly PropertyKey[]; lineOf: LineOf; file: string }[] = [];
  const inner = [...stack, full];
  const expand = async (value: unknown, at: PropertyKey[]): Promise<unknown> => {
    if (value instanceof Include) {
      const name = String(substitute(value.file, env, shown, parsed.lineOf, at as (string | number)[]));
      const target = resolve(dirname(file), name);
      const sub = await read(target, env, inner, name);
      included.push({ at, lineOf: sub.lineOf, file: name });
      return sub.data;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = await expand(value[i], [...at, i]);
    } else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      for (const k of Object.keys(record)) record[k] = await expand(record[k], [...at, k]);
    }
    return value;
  };
  data = await expand(data, []);
  const lineOf: LineOf = (path) => {
    for (const inc of included) {
      if (inc.at.length <= path.length && inc.at.every((k, i) => String(k) === String(path[i]))) {
        const line = inc.lineOf(path.slice(inc.at.length));
        if (line === undefined) return undefined;
        return typeof line === 'number' ? `${line} of ${inc.file}` : line;
      }
    }
    return parsed.lineOf(path);
  };
  return { data, lineOf };
}
