import { createReadStream } from 'node:fs';
import { Source } from '../../core/source.ts';
import { Stream, type StreamOptions } from '../../core/stream.ts';
import { badArgument, requireInteger, TwinstreamError } from '../../errors.ts';
import { Frame } from '../../frame/frame.ts';

/** Options of `Stream.fromJsonl`. */
export interface FromJsonlOptions extends StreamOptions {
  /** `'rows'` (default): one value per line; `'frames'`: `Frame`s of up to `frameSize` records. */
  as?: 'rows' | 'frames';
  /** Records per frame (default 65,536). */
  frameSize?: number;
  /** The time column of the frames (default `'time'` when the records have one). */
  timeColumn?: string;
}

// JSON.parse reviver that drops keys which would reach a prototype when the value is copied or merged.
function safeKeys(key: string, value: unknown): unknown {
  return key === '__proto__' ? undefined : value;
}

/**
 * A source of the values of a JSON Lines file, one per line (blank lines skipped). A line that is not JSON is a
 * `TS_BAD_RECORD` naming the file, the line and the parser's reason: routed to the error branch (`.catch()`) when
 * there is one, and the stream goes on; otherwise it fails the source. `malformed` counts them.
 *
 * @example
 * import { Stream } from 'twinstream';
 * import 'twinstream/files';
 * const records = Stream.fromJsonl('/tmp/events.jsonl');
 * records.catch().sink(({ error }) => console.error(error.message));
 * records.sink((r) => console.log(r));
 */
export class JsonlSource extends Source<any> {
  override kind = 'fromJsonl';
  readonly path: string;
  /** Malformed lines met so far. */
  malformed = 0;
  private readonly as: 'rows' | 'frames';
  private readonly frameSize: number;
  private readonly timeColumn: string | undefined;

  constructor(path: string, options: FromJsonlOptions = {}) {
    if (typeof path !== 'string' || path === '') badArgument('Stream.fromJsonl', 'path', path, 'a file path');
    const as = options.as ?? 'rows';
    if (as !== 'rows' && as !== 'frames') badArgument('Stream.fromJsonl', 'as', as, '"rows" or "frames"');
    const frameSize = options.frameSize ?? 65_536;
    requireInteger('Stream.fromJsonl', 'frameSize', frameSize, 1);
    super(options);
    this.path = path;
    this.as = as;
    this.frameSize = frameSize;
    this.timeColumn = options.timeColumn;
  }

  protected async run(): Promise<void> {
    const file = createReadStream(this.path, { encoding: 'utf8', highWaterMark: 1 << 20 });
    let rest = '';
    let line = 0;
    let batch: unknown[] = [];
    const frames = this.as === 'frames';
    const take = async (text: string): Promise<void> => {
      line++;
      if (text.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(text, safeKeys);
      } catch (e) {
        this.malformed++;
        const error = new TwinstreamError(
          'TS_BAD_RECORD',
          `${this.path}:${line}: not JSON (${(e as Error).message}): ${text.slice(0, 80)}`,
          { cause: e, context: { path: this.path, line } },
        );
        const r = this.fail(error, text, undefined);
        if (r !== undefined) await r;
        return;
      }
      if (!frames) {
        const r = this.emit(value);
        if (r !== undefined) await r;
        return;
      }
      batch.push(value);
      if (batch.length >= this.frameSize) await this.emitFrame(batch.splice(0));
    };
    try {
      for await (const chunk of file as AsyncIterable<string>) {
        const text = rest + chunk;
        let start = 0;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
          await take(text.slice(start, nl));
          start = nl + 1;
          if (this.stopping) return;
        }
        rest = text.slice(start);
      }
      if (rest !== '') await take(rest);
      if (batch.length > 0) await this.emitFrame(batch);
      batch = [];
    } catch (e) {
      if (e instanceof TwinstreamError) throw e;
      throw new TwinstreamError('TS_FILE_READ', `fromJsonl: cannot read ${this.path}: ${(e as Error).message}`, {
        cause: e,
        context: { path: this.path },
      });
    } finally {
      file.destroy();
    }
  }

  private async emitFrame(rows: unknown[]): Promise<void> {
    const time = this.timeColumn ?? (rows.length > 0 && 'time' in (rows[0] as object) ? 'time' : undefined);
    const r = this.emit(Frame.fromRows(rows, time === undefined ? {} : { timestamp: time }));
    if (r !== undefined) await r;
  }
}

declare module '../../core/stream.ts' {
  namespace Stream {
    /**
     * A source of the values of a JSON Lines file, as rows or frames (see {@link JsonlSource}).
     * @example
     * Stream.fromJsonl('events.jsonl').sink(console.log);
     */
    function fromJsonl(path: string, options?: FromJsonlOptions): JsonlSource;
  }
}

Object.assign(Stream, {
  fromJsonl(path: string, options: FromJsonlOptions = {}): JsonlSource {
    return new JsonlSource(path, options);
  },
});
