import { createReadStream, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { whenGraphIdle } from '../../core/idle.ts';
import { Source } from '../../core/source.ts';
import { Stream, type StreamOptions } from '../../core/stream.ts';
import { badArgument, TwinstreamError } from '../../errors.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import { FilePosition } from './file-position.ts';

/** Options of `Stream.fromTextFile`. */
export interface FromTextFileOptions extends StreamOptions {
  /** Keep reading as the file grows, is truncated or rotated, like `tail -F` (default false: read to the end). */
  follow?: boolean;
  /** With `follow`, begin at the current end of the file instead of its first line (default false). */
  fromEnd?: boolean;
  /** With `follow`, how often the file is checked for new bytes, truncation and rotation (default `'250ms'`). */
  pollInterval?: Duration;
  /**
   * A file where the position after the last line processed is kept (every node of the graph done with it and
   * with every line before it), written every `positionInterval` and at the end; a restart resumes there, so each
   * line is processed at least once and a finished file is not read again. Default: none.
   */
  positionFile?: string;
  /** How often the position file is written. Default `'1s'`. */
  positionInterval?: Duration;
}

/** Where the follow went on in another file: after `at` bytes read in all, in the file with that inode. */
interface FileSwitch {
  at: number;
  inode: number;
}

/**
 * A source of the lines of a text file (UTF-8, without their `\n` or `\r\n`). With `follow` it goes on like
 * `tail -F` (@logdna/tail-file, loaded on first use): appended lines arrive as they are written; a truncated file
 * is read again from its start; a rotated file (renamed, a new one created at the path) is read to its end before
 * the new one, so no line written to the old file is lost. The file is read only as fast as the graph takes
 * lines (each `emit` awaited). A file read once ends with its last line, with or without a newline; `stop()` ends
 * the source after the line in work. With `positionFile`, a restart resumes after the last line processed.
 *
 * @example
 * import { Stream } from 'twinstream';
 * import 'twinstream/files';
 * const lines = Stream.fromTextFile('/var/log/sensor.log', { follow: true, fromEnd: true });
 * lines.sink(console.log);
 * lines.start();
 */
export class TextFileSource extends Source<string> {
  override kind = 'fromTextFile';
  readonly path: string;
  private readonly follow: boolean;
  private readonly fromEnd: boolean;
  private readonly pollInterval: number;
  private readonly positionFile: string | null;
  private readonly positionInterval: number;

  constructor(path: string, options: FromTextFileOptions = {}) {
    if (typeof path !== 'string' || path === '') badArgument('Stream.fromTextFile', 'path', path, 'a file path');
    for (const k of ['follow', 'fromEnd'] as const) {
      if (options[k] !== undefined && typeof options[k] !== 'boolean') {
        badArgument('Stream.fromTextFile', k, options[k], 'true or false');
      }
    }
    const pollInterval = toMillis(options.pollInterval ?? '250ms', 'Stream.fromTextFile: pollInterval');
    const positionFile = options.positionFile ?? null;
    if (positionFile !== null && (typeof positionFile !== 'string' || positionFile === '')) {
      badArgument('Stream.fromTextFile', 'positionFile', positionFile, 'a file path');
    }
    const positionInterval = toMillis(options.positionInterval ?? '1s', 'Stream.fromTextFile: positionInterval');
    super(options);
    this.path = path;
    this.follow = options.follow ?? false;
    this.fromEnd = options.fromEnd ?? false;
    this.pollInterval = Math.max(1, Math.round(pollInterval));
    this.positionFile = positionFile;
    this.positionInterval = Math.max(1, positionInterval);
  }

  protected async run(signal: AbortSignal): Promise<void> {
    const position = this.positionFile === null ? null : new FilePosition(this.positionFile, this.path);
    const at = position?.resumeAt() ?? 0;
    // With a position, the saved one wins over fromEnd (0 when none: a new file is read from its start).
    const startPos = position !== null ? at : this.fromEnd ? undefined : 0;
    let chunks: AsyncIterable<string | FileSwitch>;
    let quit: () => Promise<void> = async () => {};
    if (this.follow) {
      const { default: TailFile } = await import('@logdna/tail-file');
      const tail = new TailFile(this.path, {
        pollFileIntervalMs: this.pollInterval,
        ...(startPos === undefined ? {} : { startPos }),
      } as never);
      // The tail reports a rotation or a truncation (an event) between the old file's last bytes and the new
      // one's first, while earlier bytes may still wait in its buffer: counting the bytes it pushes places the
      // switch exactly among the bytes read.
      let pushed = 0;
      const switches: FileSwitch[] = [];
      const push = tail.push.bind(tail);
      (tail as { push(chunk: Buffer | null): boolean }).push = (chunk) => {
        if (chunk !== null) pushed += chunk.length;
        return push(chunk);
      };
      const switched = (): void => {
        let inode = -1;
        try {
          inode = statSync(this.path).ino;
        } catch {
          // Gone again already: the position names no file, and a restart reads the file at the path from its start.
        }
        switches.push({ at: pushed, inode });
      };
      tail.on('renamed', switched);
      tail.on('truncated', switched);
      let failure: unknown = null;
      tail.on('tail_error', (e: unknown) => {
        failure = e;
        void tail.quit();
      });
      try {
        await tail.start();
      } catch (e) {
        throw this.readError(e);
      }
      quit = () => tail.quit();
      signal.addEventListener('abort', () => void tail.quit(), { once: true });
      chunks = (async function* () {
        let decoder = new StringDecoder('utf8');
        let received = 0;
        for await (let c of tail as AsyncIterable<Buffer>) {
          while (switches.length > 0 && switches[0]!.at <= received + c.length) {
            const next = switches.shift()!;
            const head = c.subarray(0, next.at - received);
            const text = decoder.write(head) + decoder.end();
            if (text !== '') yield text;
            yield next;
            decoder = new StringDecoder('utf8');
            received = next.at;
            c = c.subarray(head.length);
          }
          received += c.length;
          const text = decoder.write(c);
          if (text !== '') yield text;
        }
        if (failure !== null) throw failure;
      })();
    } else {
      chunks = createReadStream(this.path, { encoding: 'utf8', highWaterMark: 256 * 1024, start: at });
    }
    let rest = '';
    // The byte after the last line emitted (position files only: Buffer.byteLength per line costs).
    let byte = at;
    const saver = position === null ? null : setInterval(() => this.savePosition(position), this.positionInterval);
    try {
      for await (const chunk of chunks) {
        if (typeof chunk !== 'string') {
          // The old file is finished: its last line, even without a newline, is whole. Lines count on in the new one.
          if (rest !== '') {
            let r: void | Promise<void>;
            if (position === null) r = this.emit(rest);
            else {
              byte += Buffer.byteLength(rest);
              r = this.emit(rest, position.line(byte));
            }
            rest = '';
            if (r !== undefined) await r;
            if (this.stopping) break;
          }
          position?.switchTo(chunk.inode, byte);
          byte = 0;
          continue;
        }
        let text = rest + chunk;
        let start = 0;
        let nl = text.indexOf('\n');
        while (nl >= 0) {
          const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
          let r: void | Promise<void>;
          if (position === null) r = this.emit(text.slice(start, end));
          else {
            byte += Buffer.byteLength(text.slice(start, nl + 1));
            r = this.emit(text.slice(start, end), position.line(byte));
          }
          if (r !== undefined) await r;
          start = nl + 1;
          if (this.stopping) break;
          nl = text.indexOf('\n', start);
        }
        text = text.slice(start);
        rest = text;
        if (this.stopping) break;
      }
    } catch (e) {
      throw this.readError(e);
    } finally {
      await quit();
      if (saver !== null) clearInterval(saver);
    }
    // Stopped, what is left of the chunk is unread (it held more lines, not one): only a last line without its
    // newline at the end of the input is emitted, and not acknowledged (it may still be growing).
    if (rest !== '' && !this.stopping) {
      const r = this.emit(rest);
      if (r !== undefined) await r;
    }
    if (position !== null) {
      await whenGraphIdle([this]);
      this.savePosition(position);
    }
  }

  private savePosition(position: FilePosition): void {
    try {
      position.save();
    } catch (e) {
      // A position not written costs lines read again after a restart, not data: the run goes on.
      this.positionErrors++;
      this.lastPositionError = e;
    }
  }

  /** Position-file writes that failed (the last error in `lastPositionError`). */
  positionErrors = 0;
  lastPositionError: unknown = null;

  private readError(e: unknown): TwinstreamError {
    if (e instanceof TwinstreamError) return e;
    return new TwinstreamError('TS_FILE_READ', `fromTextFile: cannot read ${this.path}: ${(e as Error).message}`, {
      cause: e,
      context: { path: this.path },
    });
  }
}

declare module '../../core/stream.ts' {
  namespace Stream {
    /**
     * A source of the lines of a text file, optionally followed like `tail -F` (see {@link TextFileSource}).
     * @example
     * Stream.fromTextFile('app.log', { follow: true }).sink(console.log);
     */
    function fromTextFile(path: string, options?: FromTextFileOptions): TextFileSource;
  }
}

Object.assign(Stream, {
  fromTextFile(path: string, options: FromTextFileOptions = {}): TextFileSource {
    return new TextFileSource(path, options);
  },
});
