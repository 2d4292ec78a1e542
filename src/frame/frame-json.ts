// Frames as JSON values, for checkpoints of the operators that hold rows (row windows, `tail`, rolling with state):
// numbers through core/json-numbers.ts (NaN marks a missing value), strings with their dictionary.
import { fromJsonNumbers, toJsonNumbers } from '../core/json-numbers.ts';
import { DictionaryColumn } from './dictionary-column.ts';
import { Frame } from './frame.ts';
import type { FrameColumn } from './frame-column.ts';

/** A frame as JSON values. */
export interface FrameJson {
  columns: Record<string, (number | string)[] | { dictionary: string[]; codes: number[] }>;
  time: (number | string)[] | null;
  timeName: string;
  key: string | null;
}

/**
 * @internal A frame as JSON values (a copy).
 * @example frameFromJson(frameToJson(frame)); // a frame with the same rows
 */
export function frameToJson(f: Frame): FrameJson {
  const columns: FrameJson['columns'] = {};
  for (const name of f.names) {
    const c = f.column(name);
    columns[name] =
      c instanceof DictionaryColumn ? { dictionary: [...c.dictionary], codes: Array.from(c.codes) } : toJsonNumbers(c);
  }
  return { columns, time: f.time === null ? null : toJsonNumbers(f.time), timeName: f.timeName, key: f.key };
}

/** @internal A frame back from {@link frameToJson}. @example frameFromJson(frameToJson(frame)).length */
export function frameFromJson(v: FrameJson): Frame {
  const cols: Record<string, FrameColumn> = {};
  for (const [name, c] of Object.entries(v.columns)) {
    cols[name] = Array.isArray(c) ? fromJsonNumbers(c) : new DictionaryColumn(Int32Array.from(c.codes), c.dictionary);
  }
  return new Frame(cols, v.time === null ? null : fromJsonNumbers(v.time), v.timeName, v.key);
}
