import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { TwinstreamError } from '../errors.ts';
import { TimeIndex } from '../time/time-index.ts';
import { DataStreamHandler } from './data-stream-handler.ts';
import { interpolationField, parseHandlerConfig, toleranceField } from './handler-config.ts';
import { timeValue } from './time-value.ts';

const schema = z
  .object({
    path: z.string().min(1, 'a file path'),
    timeColumn: z.string().min(1).default('t'),
    delimiter: z.string().length(1, 'one character').optional(),
    interpolation: interpolationField,
    tolerance: toleranceField,
    timeUnit: z.enum(['s', 'ms']).default('s'),
  })
  .strict();

/** The config of a `csv` handler. */
export type CsvHandlerConfig = z.input<typeof schema>;

/**
 * Time-indexed values from a CSV file: a header row, a time column (`t` by default: numbers, or ISO date-times
 * read as seconds since the epoch), and numeric columns that variables read by name. Parsed with uDSV (loaded on
 * `start()`); a cell that is not a number fails the load naming its line and column; an empty cell is NaN.
 *
 * @example
 * const h = new CsvHandler({ path: 'weather.csv', interpolation: 'linear' });
 * h.addVariable(['room', 'outside'], 'temperature');
 * await h.start();
 * h.getData(90); // { 'room.outside': … }
 */
export class CsvHandler extends DataStreamHandler {
  static readonly typeName = 'csv';
  declare readonly config: z.output<typeof schema>;

  constructor(config: CsvHandlerConfig) {
    super(parseHandlerConfig(schema, config, 'csv'));
  }

  /** The same file read with the same interpolation: CoFmuPy's rule. */
  static streamIdentity(config: z.output<typeof schema>): string {
    return JSON.stringify([resolve(config.path), config.timeColumn, config.interpolation]);
  }

  describeStream(): string {
    return `csv handler (${this.config.path})`;
  }

  async start(): Promise<void> {
    if (this.index !== null) return;
    const { path, timeColumn, delimiter, timeUnit, tolerance } = this.config;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new TwinstreamError(
        'TS_HANDLER_BAD_FILE',
        `csv handler: cannot read ${path}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const { inferSchema, initParser } = await import('udsv');
    const csvSchema = inferSchema(text, delimiter === undefined ? {} : { col: delimiter });
    const names = csvSchema.cols.map((c) => c.name);
    const tc = names.indexOf(timeColumn);
    if (tc < 0) {
      throw new TwinstreamError(
        'TS_HANDLER_BAD_FILE',
        `csv handler: ${path} has no time column "${timeColumn}" (its columns: ${names.join(', ')}); set timeColumn`,
      );
    }
    const parser = initParser(csvSchema);
    // Fast path: every column looks numeric, so uDSV converts while it parses (an empty cell comes back null).
    // A NaN then means a cell that is not a number (or a literal NaN): the strict path below says which.
    let columns: Float64Array[] | null = null;
    if (csvSchema.cols.every((c) => c.type === 'n')) {
      columns = (parser.typedCols(text) as (number | null)[][]).map((cells, c) => {
        const out = new Float64Array(cells.length);
        for (let r = 0; r < cells.length; r++) {
          const v = cells[r];
          if (v === null) {
            if (c === tc) return null;
            out[r] = Number.NaN;
          } else if (Number.isNaN(v)) return null;
          else out[r] = v!;
        }
        return out;
      }) as Float64Array[];
      if (columns.some((c) => c === null)) columns = null;
    }
    columns ??= strictColumns(parser.stringCols(text) as string[][], names, tc, path, timeUnit);
    const byName: Record<string, Float64Array> = {};
    names.forEach((n, c) => {
      if (c !== tc) byName[n] = columns[c]!;
    });
    const times = columns[tc] ?? new Float64Array(0);
    this.setIndex(TimeIndex.fromColumns(times, byName, tolerance === undefined ? {} : { tolerance }));
  }
}

// Every cell read one by one: a time column may hold ISO date-times, an empty cell is a missing value, and a
// cell that is neither fails the load naming its line and column.
function strictColumns(
  strings: string[][],
  names: string[],
  tc: number,
  path: string,
  timeUnit: 's' | 'ms',
): Float64Array[] {
  const rows = strings[0]?.length ?? 0;
  return names.map((name, c) => {
    const cells = strings[c] ?? [];
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const s = cells[r]!;
      // +s is NumPy's float() for plain numbers; '' is a missing value, not 0.
      let v = s === '' ? Number.NaN : +s;
      if (Number.isNaN(v) && s !== '' && s !== 'NaN' && c === tc) v = timeValue(s, timeUnit);
      if (Number.isNaN(v) && (c === tc || (s !== '' && s !== 'NaN'))) {
        throw new TwinstreamError(
          'TS_HANDLER_BAD_FILE',
          `csv handler: ${path} line ${r + 2}, column "${name}": ${JSON.stringify(s)} is not ${c === tc ? 'a time (a number or an ISO date-time)' : 'a number'}`,
          { context: { path, line: r + 2, column: name } },
        );
      }
      out[r] = v;
    }
    return out;
  });
}

DataStreamHandler.register(CsvHandler);
