// Turns streamz-dataframe vectors into frames and compares outputs (floats within the vector's tolerance).
import assert from 'node:assert/strict';
import { Frame } from '../../src/index.ts';

export interface Table {
  index: (number | string)[];
  columns: Record<string, (number | string | null)[]>;
  dtypes: Record<string, string>;
}

/** A vector's table as a frame: a datetime index (naive ISO strings, read as UTC) becomes the time column. */
export function toFrame(t: Table): Frame {
  const datetime = t.index.length > 0 && typeof t.index[0] === 'string';
  const cols: Record<string, any> = {};
  for (const [name, values] of Object.entries(t.columns)) {
    cols[name] = t.dtypes[name] === 'object' ? values : Float64Array.from(values as number[], (v) => v ?? Number.NaN);
  }
  if (datetime) return Frame.fromColumns(cols, { time: (t.index as string[]).map((s) => Date.parse(`${s}Z`)) });
  return Frame.fromColumns(cols);
}

/** Asserts numbers equal within `tol` (null in a vector is NaN here). */
export function close(actual: ArrayLike<number>, expected: (number | null)[], tol = 1e-9, what = ''): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i]!;
    if (e === null) assert.ok(Number.isNaN(a), `${what}[${i}]: expected NaN (null), got ${a}`);
    else assert.ok(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `${what}[${i}]: expected ${e}, got ${a}`);
  }
}

/** The ISO strings (naive, UTC) of a time column, as the vectors write a datetime index. */
export function isoIndex(time: Float64Array | null): string[] {
  return Array.from(time ?? [], (t) => new Date(t).toISOString().slice(0, 19));
}
