import { readFile } from 'node:fs/promises';
import { TwinstreamError, type TwinstreamErrorCode } from '../../errors.ts';

/** A configuration file read as data, with the line of any path in it. */
export interface YamlFile {
  /** The document as plain data (`undefined` for an empty file). */
  readonly data: unknown;
  /** The line (1-based) of the node at `path`, or of its deepest ancestor that exists; `undefined` for JSON. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

/**
 * Reads a configuration file, `.json` as JSON and anything else as YAML, keeping the YAML node ranges so that a
 * validation error can name the line of each bad path. A file (`what`: 'model', 'pipeline') that cannot be read or parsed throws `code` naming
 * the file (and the line, for YAML).
 *
 * @example
 * const { data, lineOf } = await readYamlFile('line-a.yaml', 'TS_SIM_BAD_MODEL', 'model');
 * lineOf(['resources', 'lathe', 'maxCap']); // 12
 * @internal
 */
export async function readYamlFile(file: string, code: TwinstreamErrorCode, what: string): Promise<YamlFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new TwinstreamError(code, `cannot read ${what} ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (file.endsWith('.json')) {
    try {
      return { data: JSON.parse(text), lineOf: () => undefined };
    } catch (error) {
      throw new TwinstreamError(code, `${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  return parseYaml(text, file, code);
}

/**
 * Parses YAML text (read from `shown`) as data, keeping the node ranges so that `lineOf` tells the line of any path
 * (of its deepest ancestor that exists, for a missing key). `customTags` are the yaml library's custom tags (a
 * model's `!include`). Text that is not a usable YAML document throws `code` naming `shown` and the line.
 * A `${NAME}` anywhere parses as the text it is, even unquoted inside `{ }` or `[ ]`, and is left in the strings
 * for `substituteVariables` to replace in values.
 *
 * @example
 * const { data, lineOf } = await parseYaml('a:\n  b: 1\n', 'inline', 'TS_SIM_BAD_MODEL');
 * lineOf(['a', 'b']); // 2
 * @internal
 */
export async function parseYaml(
  text: string,
  shown: string,
  code: TwinstreamErrorCode,
  customTags: readonly { tag: string; resolve: (value: string) => unknown }[] = [],
): Promise<YamlFile> {
  const { LineCounter, parseDocument } = await import('yaml');
  const lines = new LineCounter();
  const variables = markVariables(text);
  const tags = customTags.map((t) => ({ ...t, resolve: (value: string) => t.resolve(variables.restore(value)) }));
  let doc: ReturnType<typeof parseDocument>;
  let data: unknown;
  try {
    doc = parseDocument(variables.text, { lineCounter: lines, prettyErrors: true, customTags: tags as never });
    // The yaml library refuses alias bombs ("excessive alias count") as a plain ReferenceError, thrown here; a
    // structure nested past the stack is a RangeError.
    data = doc.errors.length > 0 ? undefined : variables.restoreIn(doc.toJS());
  } catch (error) {
    const message = variables.restore(String((error as Error)?.message ?? error));
    throw new TwinstreamError(code, `${shown} is not a usable YAML document: ${message}`, { cause: error });
  }
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const message = variables.restore(e.message);
    throw new TwinstreamError(code, `${shown} is not valid YAML (line ${e.linePos?.[0].line}): ${message}`, {
      cause: e,
    });
  }
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    // The deepest node that exists on the path: a missing key is reported at its parent.
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as (string | number)[], true) as
        | { range?: [number, number, number] }
        | undefined;
      if (node?.range !== undefined) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { data, lineOf };
}

// `${NAME}` as it may stand in a file (no newline inside, so lines keep their numbers).
const WRITTEN = /\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-[^}\n]*)?\}/g;
// A mark of the Unicode private use area, which YAML reads as plain text anywhere a scalar may stand.
const MARK = /\uE000(\d+)\uE001/g;

/**
 * The text with each `${NAME}` swapped for a mark YAML takes as plain text (in a flow collection, `{` and `}` would
 * otherwise be YAML's own), and what puts them back: in a string, or in place in parsed data. A mark in a comment
 * goes with the comment. Text that already holds the mark's characters is left as it is.
 */
function markVariables(text: string): {
  text: string;
  restore(s: string): string;
  restoreIn(data: unknown): unknown;
} {
  const written: string[] = [];
  const marked = text.includes('\uE000') ? text : text.replace(WRITTEN, (v) => `\uE000${written.push(v) - 1}\uE001`);
  const restore = (s: string): string =>
    s.includes('\uE000') ? s.replace(MARK, (m, i) => written[Number(i)] ?? m) : s;
  const restoreIn = (value: unknown): unknown => {
    if (typeof value === 'string') return restore(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = restoreIn(value[i]);
    } else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      // Values are own data properties: assigning one replaces it, even under a key `__proto__`.
      if (!keys.some((k) => k.includes('\uE000'))) for (const k of keys) record[k] = restoreIn(record[k]);
      else {
        // A key written with a variable keeps it as written (variables are values' only), in the same order.
        const entries = keys.map((k) => [restore(k), restoreIn(record[k])] as const);
        for (const k of keys) delete record[k];
        for (const [k, v] of entries) {
          Object.defineProperty(record, k, { value: v, writable: true, enumerable: true, configurable: true });
        }
      }
    }
    return value;
  };
  return { text: marked, restore, restoreIn: written.length === 0 ? (d) => d : restoreIn };
}

/** One problem found in a configuration: where (a path of keys and indexes) and what is accepted there. */
export interface ConfigIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * The issues as zod's `prettifyError` writes them (`✖ expected a number > 0` then `→ at steps[2].window.grace`),
 * each path followed by its line in the file when `lineOf` can tell it.
 *
 * @example
 * describeIssues(z, error.issues, lineOf);
 * // ✖ expected a duration such as "5s"
 * //   → at steps[2].window.grace (line 14)
 * @internal
 */
export function describeIssues(
  z: typeof import('zod').z,
  issues: readonly ConfigIssue[],
  lineOf?: (path: readonly PropertyKey[]) => number | string | undefined,
): string {
  const error = new z.ZodError(issues as never);
  const lines = new Map<string, number | string>();
  for (const issue of error.issues) {
    const line = lineOf?.(issue.path);
    if (line !== undefined) lines.set(issue.path.join('.'), line);
  }
  return z
    .prettifyError(error)
    .split('\n')
    .map((l) => {
      const m = /^ {2}→ at (.+)$/.exec(l);
      const line = m ? lines.get(m[1]!.replace(/\[(\d+)\]/g, '.$1')) : undefined; // zod writes flows[0].steps
      return line === undefined ? l : `${l} (line ${line})`;
    })
    .join('\n');
}
