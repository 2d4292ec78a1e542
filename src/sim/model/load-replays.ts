import { dirname, extname, resolve } from 'node:path';
import { TwinstreamError } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';
import { readCsvColumn } from '../analysis/read-column.ts';
import { modelClock } from './model-clock.ts';
import type { ModelSpec } from './spec.ts';

/**
 * Loads the recorded times of a model's replayed arrivals (`{ dist: replay, file, column }`) into `times`, so the
 * arrivals come at their recorded times: a CSV column of seconds from the start, or a Parquet column of seconds or
 * of timestamps (taken from `run.logicalStartTime`; times before it are left out). Paths are relative to `baseDir`
 * (the model file's folder). The times are sorted; a missing file or column is `TS_SIM_BAD_DATA`.
 *
 * @example
 * await loadReplays(spec, 'models');
 * @internal
 */
export async function loadReplays(spec: ModelSpec<number>, baseDir: string, nowMs: number): Promise<void> {
  for (const [name, config] of Object.entries(spec.arrival)) {
    const c = config as { dist: string; file?: string; column?: string; times?: number[] };
    if (c.dist !== 'replay' || c.file === undefined) continue;
    const file = resolve(baseDir, c.file);
    const column = c.column ?? 'time';
    const startMs = modelClock(spec.run, nowMs).startMs;
    const times =
      extname(file).toLowerCase() === '.parquet'
        ? await parquetTimes(file, column, startMs)
        : await csvTimes(file, column);
    if (times.length === 0) {
      throw new TwinstreamError(
        'TS_SIM_BAD_DATA',
        `arrival.${name}: ${c.file} has no times in column "${column}" at or after the start`,
        {
          context: { file: c.file, column },
        },
      );
    }
    times.sort((a, b) => a - b);
    delete c.file;
    delete c.column;
    c.times = times;
  }
}

async function csvTimes(file: string, column: string): Promise<number[]> {
  const { values } = await readCsvColumn(file, column);
  return Array.from(values).filter((t) => t >= 0);
}

async function parquetTimes(file: string, column: string, startMs: number): Promise<number[]> {
  const { asyncBufferFromFile, parquetReadObjects } = await importOptional(
    'hyparquet',
    'replayed arrivals',
    () => import('hyparquet'),
  );
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({ file: await asyncBufferFromFile(file), columns: [column] });
  } catch (error) {
    throw new TwinstreamError(
      'TS_SIM_BAD_DATA',
      `cannot read column "${column}" of ${file}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const times: number[] = [];
  for (const row of rows) {
    const v = row[column];
    const t = v instanceof Date ? (v.getTime() - startMs) / 1000 : typeof v === 'bigint' ? Number(v) : v;
    if (typeof t === 'number' && Number.isFinite(t) && t >= 0) times.push(t);
  }
  return times;
}

/**
 * The folder a model file's relative paths start from.
 *
 * @example modelDir('models/line.yaml'); // '/home/me/models'
 * @internal
 */
export const modelDir = (file: string): string => dirname(resolve(file));
