import { dirname, extname, resolve } from 'node:path';
import { TwinstreamError } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';
import { csvTextColumns } from '../csv-text-columns.ts';
import { modelClock, modelTime } from './model-clock.ts';
import type { ModelSpec } from './spec.ts';

/** Seconds in one unit of a numeric time column. */
const UNITS: Record<string, number> = { ms: 0.001, s: 1, min: 60, h: 3600 };
// A date, and a time of day, as ISO 8601 writes them (a cell that looks like one is read as a timestamp).
const ISO = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|z|[+-]\d{2}(:?\d{2})?)?$/;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** A replayed arrival's options, as a model writes them (`{ dist: replay, file, column, unit, fields, onInvalid }`). */
interface ReplayConfig {
  dist: string;
  file?: string;
  column?: string;
  unit?: 'ms' | 's' | 'min' | 'h' | 'timestamp';
  fields?: 'all' | string[];
  onInvalid?: 'error' | 'skip';
  times?: number[];
  rows?: Record<string, unknown>[];
}

/**
 * Loads the recorded rows of a model's replayed arrivals (`{ dist: replay, file, column }`) into `times`, so the
 * arrivals come at their recorded times, and with `fields` (`all`, or a list of columns) into `rows`, each row's
 * fields becoming its entity's attributes. The time column holds numbers in `unit` (`ms`, `s` by default, `min`,
 * `h`) from the start, or timestamps (`unit: timestamp`, or cells written as ISO 8601 times): Parquet timestamps,
 * or text read as `run.logicalStartTime` is (without an offset, in `run.timeZone`), taken from the start. Times
 * before the start are left out; a cell that is not a time is left out too, or with `onInvalid: error` is
 * `TS_SIM_BAD_DATA` naming its row. Rows are put in time order (rows at one time keep theirs). Paths are relative to
 * `baseDir` (the model file's folder). A missing file or column is `TS_SIM_BAD_DATA`.
 *
 * @example
 * await loadReplays(spec, 'models', Date.now());
 * @internal
 */
export async function loadReplays(spec: ModelSpec<number>, baseDir: string, nowMs: number): Promise<void> {
  for (const [name, config] of Object.entries(spec.arrival)) {
    const c = config as ReplayConfig;
    if (c.dist !== 'replay' || c.file === undefined) continue;
    const file = resolve(baseDir, c.file);
    const column = c.column ?? 'time';
    const startMs = modelClock(spec.run, nowMs).startMs;
    const table = extname(file).toLowerCase() === '.parquet' ? await parquetTable(file) : await csvTable(file);
    if (!table.columns.includes(column)) {
      throw new TwinstreamError(
        'TS_SIM_BAD_DATA',
        `arrival.${name}: ${c.file} has no column "${column}"; its columns are: ${table.columns.join(', ')}`,
        { context: { file: c.file, column, columns: table.columns } },
      );
    }
    const fields = c.fields === undefined ? [] : c.fields === 'all' ? table.columns : c.fields;
    for (const f of fields) {
      if (FORBIDDEN.has(f) || !table.columns.includes(f)) {
        throw new TwinstreamError(
          'TS_SIM_BAD_DATA',
          `arrival.${name}.fields: ${c.file} has no usable column "${f}"; its columns are: ${table.columns.join(', ')}`,
          { context: { file: c.file, field: f } },
        );
      }
    }
    const at = (cell: unknown, row: number): number | undefined => {
      const t = timeOf(cell, c.unit, startMs, spec.run.timeZone);
      if (t === undefined && c.onInvalid === 'error') {
        throw new TwinstreamError(
          'TS_SIM_BAD_DATA',
          `arrival.${name}: row ${row} of ${c.file} has no valid ${column}: ${JSON.stringify(cell)}; expected ${c.unit === 'timestamp' ? 'an ISO 8601 time' : `a number of ${c.unit ?? 's'}${c.unit === undefined ? ' or an ISO 8601 time' : ''}`} (onInvalid: skip leaves such rows out)`,
          { context: { file: c.file, row, column } },
        );
      }
      return t;
    };
    const kept: { t: number; row: Record<string, unknown> | undefined }[] = [];
    table.rows.forEach((r, i) => {
      const t = at(r[column], i + 1);
      if (t === undefined || t < 0) return;
      let row: Record<string, unknown> | undefined;
      if (fields.length > 0) {
        row = Object.create(null) as Record<string, unknown>;
        for (const f of fields) row[f] = r[f];
      }
      kept.push({ t, row });
    });
    if (kept.length === 0) {
      throw new TwinstreamError(
        'TS_SIM_BAD_DATA',
        `arrival.${name}: ${c.file} has no times in column "${column}" at or after the start`,
        { context: { file: c.file, column } },
      );
    }
    kept.sort((a, b) => a.t - b.t); // stable: rows at one time keep their order
    for (const k of ['file', 'column', 'unit', 'fields', 'onInvalid'] as const) delete c[k];
    c.times = kept.map((k) => k.t);
    if (fields.length > 0) c.rows = kept.map((k) => k.row!);
  }
}

// A cell's time in seconds from the start, or undefined when it is not a time.
function timeOf(cell: unknown, unit: string | undefined, startMs: number, timeZone: string | undefined) {
  if (cell instanceof Date) return Number.isFinite(cell.getTime()) ? (cell.getTime() - startMs) / 1000 : undefined;
  if (typeof cell === 'bigint') cell = Number(cell);
  if (typeof cell === 'number')
    return unit === 'timestamp' || !Number.isFinite(cell) ? undefined : cell * UNITS[unit ?? 's']!;
  if (typeof cell !== 'string') return undefined;
  const text = cell.trim();
  if (unit !== 'timestamp') {
    const n = text === '' ? Number.NaN : Number(text);
    if (Number.isFinite(n)) return n * UNITS[unit ?? 's']!;
    if (unit !== undefined) return undefined;
  }
  if (!ISO.test(text)) return undefined;
  // An offset without minutes (`+01`) as ISO 8601 allows it; `T` in any case.
  const normal = text.replace(/[t ](?=\d{2}:)/, 'T').replace(/([+-]\d{2})$/, '$1:00');
  try {
    return (modelTime(normal, startMs, timeZone, 'replay') - startMs) / 1000;
  } catch {
    return undefined;
  }
}

interface Table {
  columns: string[];
  rows: Record<string, unknown>[];
}

// Every column as text, each cell a number when it reads as one (as desflow reads CSV fields).
async function csvTable(file: string): Promise<Table> {
  const { names: columns, cols } = await csvTextColumns(file);
  const n = cols[0]?.length ?? 0;
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const row = Object.create(null) as Record<string, unknown>;
    columns.forEach((name, j) => {
      const s = String(cols[j]?.[i] ?? '').trim();
      const v = s === '' ? Number.NaN : Number(s);
      row[name] = Number.isFinite(v) ? v : s;
    });
    rows.push(row);
  }
  return { columns, rows };
}

async function parquetTable(file: string): Promise<Table> {
  const { asyncBufferFromFile, parquetReadObjects, parquetMetadataAsync } = await importOptional(
    'hyparquet',
    'replayed arrivals',
    () => import('hyparquet'),
  );
  try {
    const buffer = await asyncBufferFromFile(file);
    const metadata = await parquetMetadataAsync(buffer);
    const columns = metadata.schema.slice(1).map((s: { name: string }) => s.name);
    const rows = (await parquetReadObjects({ file: buffer })).map((r: Record<string, unknown>) => {
      const row = Object.create(null) as Record<string, unknown>;
      for (const name of columns) {
        const v = r[name];
        row[name] = typeof v === 'bigint' ? Number(v) : v;
      }
      return row;
    });
    return { columns, rows };
  } catch (error) {
    throw new TwinstreamError('TS_SIM_BAD_DATA', `cannot read ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * The folder a model file's relative paths start from.
 *
 * @example modelDir('models/line.yaml'); // '/home/me/models'
 * @internal
 */
export const modelDir = (file: string): string => dirname(resolve(file));
