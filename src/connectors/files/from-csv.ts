import { createReadStream } from 'node:fs';
import { Source } from '../../core/source.ts';
import { Stream, type StreamOptions } from '../../core/stream.ts';
import { badArgument, requireInteger, TwinstreamError } from '../../errors.ts';
import { Frame } from '../../frame/frame.ts';
import { CsvRecords, checkHeader } from './csv-records.ts';

/** Options of `Stream.fromCsv`. */
export interface FromCsvOptions extends StreamOptions {
  /** `'rows'` (default): one object per record; `'frames'`: `Frame`s of up to `frameSize` rows. */
  as?: 'rows' | 'frames';
  /** Rows per frame (default 65,536). */
  frameSize?: number;
  /** The column delimiter (default: found from the header line among tab, `|`, `;` and `,`). */
  delimiter?: string;
  /** The time column of the frames (default `'time'` when there is one); ISO 8601 text is read as milliseconds. */
  timeColumn?: string;
}

// Bytes read at a time; the parser keeps the unfinished last record of a chunk for the next.
const CHUNK = 4 << 20;
// Data records whose values decide which columns are numeric.
const SAMPLE = 20;

/**
 * A source of the records of a CSV file with a header line (RFC 4180: quoted fields, `""` escapes, newlines in
 * quotes, CRLF), each with the line it begins on.
 * A column whose first 20 records hold only numbers is numeric (an empty cell is null); the others are strings.
 * A malformed record (a field count other than the header's, text in a numeric column) is a `TS_BAD_RECORD`
 * naming the file and its line: routed to the error branch (`.catch()`) when there is one, and the stream goes
 * on; otherwise it fails the source. `malformed` counts them.
 *
 * @example
 * import { Stream } from 'twinstream';
 * import 'twinstream/files';
 * const rows = Stream.fromCsv('/tmp/readings.csv');
 * rows.catch().sink(({ error }) => console.error(error.message));
 * rows.sink((r) => console.log(r));
 */
export class CsvSource extends Source<any> {
  override kind = 'fromCsv';
  readonly path: string;
  /** Malformed records met so far. */
  malformed = 0;
  private readonly as: 'rows' | 'frames';
  private readonly frameSize: number;
  private readonly delimiter: string | undefined;
  private readonly timeColumn: string | undefined;

  constructor(path: string, options: FromCsvOptions = {}) {
    if (typeof path !== 'string' || path === '') badArgument('Stream.fromCsv', 'path', path, 'a file path');
    const as = options.as ?? 'rows';
    if (as !== 'rows' && as !== 'frames') badArgument('Stream.fromCsv', 'as', as, '"rows" or "frames"');
    const frameSize = options.frameSize ?? 65_536;
    requireInteger('Stream.fromCsv', 'frameSize', frameSize, 1);
    if (options.delimiter !== undefined && (typeof options.delimiter !== 'string' || options.delimiter.length !== 1)) {
      badArgument('Stream.fromCsv', 'delimiter', options.delimiter, 'one character such as "," or "\\t"');
    }
    super(options);
    this.path = path;
    this.as = as;
    this.frameSize = frameSize;
    this.delimiter = options.delimiter;
    this.timeColumn = options.timeColumn;
  }

  protected async run(): Promise<void> {
    let records: CsvRecords | null = null;
    let names: string[] = [];
    let numeric: boolean[] = [];
    let width = 0;
    let rows: Record<string, unknown>[] = [];
    let cols: (Float64Array | string[])[] = [];
    let count = 0;
    // Columns of whole frames parsed and not yet emitted (bounded by one chunk's records).
    const ready: (Float64Array | string[])[][] = [];
    const bad: TwinstreamError[] = [];
    const badValues: unknown[] = [];
    const frames = this.as === 'frames';

    const onBad = (line: number, reason: string, text: unknown) => {
      bad.push(this.badRecord(line, reason));
      badValues.push(text);
    };
    const notNumber = (at: number, c: number, cells: string[]) => {
      const s = cells[c]!;
      onBad(at, `column "${names[c]}" is ${JSON.stringify(s.slice(0, 40))}, not a number`, [...cells]);
    };
    const onRow = (cells: string[], at: number) => {
      if (cells.length !== width) {
        onBad(at, `has ${cells.length} fields, the header has ${width}`, [...cells]);
        return;
      }
      if (frames) {
        // Numbers go straight into the frame's Float64Array at `count`; a bad one leaves `count` as it was, so
        // the row is overwritten by the next. Strings are pushed once the numbers are known to be good.
        for (let c = 0; c < width; c++) {
          const num = cols[c];
          if (!(num instanceof Float64Array)) continue;
          const s = cells[c]!;
          if (s === '') num[count] = Number.NaN;
          else {
            const n = +s;
            if (Number.isNaN(n) && s !== 'NaN') return notNumber(at, c, cells);
            num[count] = n;
          }
        }
        for (let c = 0; c < width; c++) {
          const str = cols[c];
          if (Array.isArray(str)) str.push(cells[c]);
        }
        if (++count === this.frameSize) {
          ready.push(cols);
          cols = newColumns();
          count = 0;
        }
        return;
      }
      const row: Record<string, unknown> = Object.create(null);
      for (let c = 0; c < width; c++) {
        const s = cells[c]!;
        if (!numeric[c]) row[names[c]!] = s;
        else if (s === '') row[names[c]!] = null;
        else {
          const n = +s;
          if (Number.isNaN(n) && s !== 'NaN') return notNumber(at, c, cells);
          row[names[c]!] = n;
        }
      }
      rows.push(row);
    };
    const newColumns = () => numeric.map((isNumber) => (isNumber ? new Float64Array(this.frameSize) : []));
    // The first chunk: its first record is the header; a column is numeric when its sampled values all are.
    const begin = (chunk: string) => {
      const d = this.delimiter ?? guessDelimiter(chunk);
      records = new CsvRecords(d);
      const sample: string[][] = [];
      const probe = new CsvRecords(d);
      probe.push(chunk.slice(0, 64 * 1024), false, (fields) => {
        if (sample.length <= SAMPLE) sample.push([...fields]);
      });
      names = sample[0] ?? [];
      checkHeader(names, this.path);
      width = names.length;
      numeric = names.map((_, c) => {
        let any = false;
        for (let r = 1; r < sample.length; r++) {
          const s = sample[r]![c];
          if (s === undefined || s === '') continue;
          if (Number.isNaN(+s) && s !== 'NaN') return false;
          any = true;
        }
        return any;
      });
      cols = newColumns();
      let header = true;
      return (fields: string[], line: number) => {
        if (header) header = false;
        else onRow(fields, line);
      };
    };

    const flush = async (final: boolean) => {
      for (let i = 0; i < bad.length; i++) {
        this.malformed++;
        const r = this.fail(bad[i], badValues[i], undefined);
        if (r !== undefined) await r;
      }
      bad.length = 0;
      badValues.length = 0;
      if (frames) {
        if (final && count > 0) {
          ready.push(cols.map((col) => (col instanceof Float64Array ? col.subarray(0, count) : col)));
          cols = newColumns();
          count = 0;
        }
        const time = this.timeColumn ?? (names.includes('time') ? 'time' : undefined);
        for (const frameCols of ready.splice(0)) {
          const columns: Record<string, string[] | Float64Array> = {};
          for (let c = 0; c < width; c++) columns[names[c]!] = frameCols[c]!;
          if (time !== undefined && !numeric[names.indexOf(time)]) {
            columns[time] = isoToMillis(columns[time] as string[]);
          }
          const r = this.emit(Frame.fromColumns(columns as never, time === undefined ? {} : { timestamp: time }));
          if (r !== undefined) await r;
          if (this.stopping) return;
        }
      } else {
        const out = rows;
        rows = [];
        for (const row of out) {
          const r = this.emit(row);
          if (r !== undefined) await r;
          if (this.stopping) return;
        }
      }
    };

    const file = createReadStream(this.path, { encoding: 'utf8', highWaterMark: CHUNK });
    let each: ((fields: string[], line: number) => void) | null = null;
    try {
      for await (const chunk of file as AsyncIterable<string>) {
        each ??= begin(chunk);
        records!.push(chunk, false, each, onBad);
        await flush(false);
        if (this.stopping) return;
      }
      if (each !== null) records!.push('', true, each, onBad);
      await flush(true);
    } catch (e) {
      if (e instanceof TwinstreamError) throw e;
      throw new TwinstreamError('TS_FILE_READ', `fromCsv: cannot read ${this.path}: ${(e as Error).message}`, {
        cause: e,
        context: { path: this.path },
      });
    } finally {
      file.destroy();
    }
  }

  private badRecord(line: number, what: string): TwinstreamError {
    return new TwinstreamError('TS_BAD_RECORD', `${this.path}:${line}: the record ${what}`, {
      context: { path: this.path, line },
    });
  }
}

/** The delimiter of the header line: the first of tab, `|`, `;` and `,` that it holds (`,` if none). */
function guessDelimiter(chunk: string): string {
  const nl = chunk.indexOf('\n');
  const header = nl < 0 ? chunk : chunk.slice(0, nl);
  for (const d of ['\t', '|', ';', ',']) if (header.includes(d)) return d;
  return ',';
}

function isoToMillis(values: string[]): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Date.parse(values[i]!);
  return out;
}

declare module '../../core/stream.ts' {
  namespace Stream {
    /**
     * A source of the records of a CSV file, as rows or frames (see {@link CsvSource}).
     * @example
     * Stream.fromCsv('readings.csv', { as: 'frames' }).sink((f) => console.log(f.length));
     */
    function fromCsv(path: string, options?: FromCsvOptions): CsvSource;
  }
}

Object.assign(Stream, {
  fromCsv(path: string, options: FromCsvOptions = {}): CsvSource {
    return new CsvSource(path, options);
  },
});
