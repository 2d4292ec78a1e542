import { resolve } from 'node:path';
import { z } from 'zod';
import { TwinstreamError } from '../errors.ts';
import { importOptional } from '../import-optional.ts';
import { TimeIndex } from '../time/time-index.ts';
import { DataStreamHandler } from './data-stream-handler.ts';
import { interpolationField, parseHandlerConfig, toleranceField } from './handler-config.ts';
import { timeValue } from './time-value.ts';

const schema = z
  .object({
    path: z.string().min(1, 'a file path'),
    timeColumn: z.string().min(1).default('t'),
    interpolation: interpolationField,
    tolerance: toleranceField,
    timeUnit: z.enum(['s', 'ms']).default('s'),
  })
  .strict();

/** The config of a `parquet` handler. */
export type ParquetHandlerConfig = z.input<typeof schema>;

/**
 * Time-indexed values from a Parquet file (read with hyparquet, loaded on `start()`): a time column (numbers, or
 * a TIMESTAMP read as seconds since the epoch, or milliseconds with `timeUnit: 'ms'`) and numeric columns.
 * Only the time column and the columns the variables read are loaded.
 *
 * @example
 * const h = new ParquetHandler({ path: 'weather.parquet', interpolation: 'linear' });
 * h.addVariable(['room', 'outside'], 'temperature');
 * await h.start();
 */
export class ParquetHandler extends DataStreamHandler {
  static readonly typeName = 'parquet';
  declare readonly config: z.output<typeof schema>;

  constructor(config: ParquetHandlerConfig) {
    super(parseHandlerConfig(schema, config, 'parquet'));
  }

  static streamIdentity(config: z.output<typeof schema>): string {
    return JSON.stringify([resolve(config.path), config.timeColumn, config.interpolation]);
  }

  describeStream(): string {
    return `parquet handler (${this.config.path})`;
  }

  async start(): Promise<void> {
    if (this.index !== null) return;
    const { path, timeColumn, timeUnit, tolerance } = this.config;
    const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } = await importOptional(
      'hyparquet',
      'the parquet handler',
      () => import('hyparquet'),
    );
    let file: Awaited<ReturnType<typeof asyncBufferFromFile>>;
    let names: string[];
    try {
      file = await asyncBufferFromFile(path);
      const metadata = await parquetMetadataAsync(file);
      names = parquetSchema(metadata).children.map((c) => c.element.name);
    } catch (error) {
      throw new TwinstreamError(
        'TS_HANDLER_BAD_FILE',
        `parquet handler: cannot read ${path}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    if (!names.includes(timeColumn)) {
      throw new TwinstreamError(
        'TS_HANDLER_BAD_FILE',
        `parquet handler: ${path} has no time column "${timeColumn}" (its columns: ${names.join(', ')}); set timeColumn`,
      );
    }
    const wanted = new Set(this.variables.map((v) => v.alias));
    const valueNames = names.filter((n) => n !== timeColumn && (wanted.size === 0 || wanted.has(n)));
    const rows = await parquetReadObjects({ file, columns: [timeColumn, ...valueNames] });
    const times = new Float64Array(rows.length);
    const columns: Record<string, Float64Array> = {};
    for (const n of valueNames) columns[n] = new Float64Array(rows.length);
    rows.forEach((row, r) => {
      const t = timeValue(row[timeColumn], timeUnit);
      if (Number.isNaN(t)) {
        throw new TwinstreamError(
          'TS_HANDLER_BAD_FILE',
          `parquet handler: ${path} row ${r}, column "${timeColumn}": ${String(row[timeColumn])} is not a time`,
        );
      }
      times[r] = t;
      for (const n of valueNames) {
        const v = row[n];
        columns[n]![r] = v === null || v === undefined ? Number.NaN : Number(v);
      }
    });
    this.setIndex(TimeIndex.fromColumns(times, columns, tolerance === undefined ? {} : { tolerance }));
  }
}

DataStreamHandler.register(ParquetHandler);
