import { TwinstreamError } from '../../errors.ts';
import { simSeconds } from '../sim-duration.ts';

/** A parsed blueprint's mapping. @internal */
export type Data = Record<string, unknown>;
/** Where a value sits in a blueprint, for messages and line numbers. @internal */
export type Path = (string | number)[];

/** Why a field is refused: it needs Python. @internal */
export const PYTHON = 'needs Python, which a twinstream model cannot run';
/** Why a field is refused: not translated yet. @internal */
export const NOT_YET = 'is not translated to twinstream yet';

/**
 * Reads the parts of a desflow blueprint: mappings, seconds (or durations such as `5 min`), and refusals that throw
 * `TS_SIM_BAD_MODEL` naming the field, with its line when `lineOf` can tell it.
 *
 * @internal
 */
export class DesflowReader {
  readonly source: string;
  private readonly lineOf: ((path: readonly PropertyKey[]) => number | string | undefined) | undefined;

  constructor(source: string, lineOf?: (path: readonly PropertyKey[]) => number | string | undefined) {
    this.source = source;
    this.lineOf = lineOf;
  }

  /** Throws the refusal of the field at `path`. */
  fail(path: Path, message: string): never {
    const line = this.lineOf?.(path);
    throw new TwinstreamError(
      'TS_SIM_BAD_MODEL',
      `${this.source} (a desflow blueprint): ${path.join('.')}${line === undefined ? '' : ` (line ${line})`}: ${message}`,
      { context: { source: this.source, path } },
    );
  }

  /** A mapping (absent or null: empty). */
  obj(v: unknown, path: Path): Data {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(path, `expected a mapping, got ${JSON.stringify(v)}`);
    return v as Data;
  }

  /** Seconds, given as a number or a duration such as `10 min`. */
  seconds(v: unknown, path: Path): number {
    if (typeof v === 'number') return v;
    const s = typeof v === 'string' ? simSeconds(v) : undefined;
    if (s === undefined) this.fail(path, `expected seconds or a duration such as "10 min", got ${JSON.stringify(v)}`);
    return s!;
  }

  /** Refuses each of `keys` that `d` sets. */
  refuse(d: Data, keys: string[], path: Path, why: string): void {
    for (const k of keys) if (d[k] !== undefined && d[k] !== null) this.fail([...path, k], why);
  }
}

/** desflow's registry paths name capacities in snake case; twinstream's in camel case. Names stay as written. @internal */
export function camelPath(path: string): string {
  if (typeof path !== 'string') return path;
  return path
    .split('.')
    .map((p) => (p === 'current_cap' ? 'currentCap' : p === 'max_cap' ? 'maxCap' : p))
    .join('.');
}
