import { glob } from 'node:fs/promises';
import { Source } from '../../core/source.ts';
import { Stream, type StreamOptions } from '../../core/stream.ts';
import { badArgument } from '../../errors.ts';
import type { Timer } from '../../time/clock.ts';
import { type Duration, toMillis } from '../../time/duration.ts';

/** Options of `Stream.filenames`. */
export interface FilenamesOptions extends StreamOptions {
  /** How often the pattern is matched again for new files (default `'1s'`); on the graph's clock. */
  pollInterval?: Duration;
  /** Emit the files that match at start (default true); false emits only files that appear later. */
  existing?: boolean;
}

/**
 * A source of the names of files matching a glob pattern (`node:fs/promises` `glob`: `*`, `**`, `?`, `[...]`,
 * `{a,b}`), each name once, in sorted order per poll, then of each new file that appears, checked every
 * `pollInterval` until `stop()` (streamz's `filenames`). Pair it with `fromTextFile` or `fromCsv` to read them.
 *
 * @example
 * import { Stream } from 'twinstream';
 * import 'twinstream/files';
 * const names = Stream.filenames('incoming/*.csv', { pollInterval: '5s' });
 * names.sink((name) => console.log('new file', name));
 * names.start();
 */
export class FilenamesSource extends Source<string> {
  override kind = 'filenames';
  readonly pattern: string;
  private readonly interval: number;
  private readonly existing: boolean;

  constructor(pattern: string, options: FilenamesOptions = {}) {
    if (typeof pattern !== 'string' || pattern === '') {
      badArgument('Stream.filenames', 'pattern', pattern, 'a glob pattern such as "data/*.csv"');
    }
    if (options.existing !== undefined && typeof options.existing !== 'boolean') {
      badArgument('Stream.filenames', 'existing', options.existing, 'true or false');
    }
    const interval = toMillis(options.pollInterval ?? '1s', 'Stream.filenames: pollInterval');
    super(options);
    this.pattern = pattern;
    this.interval = interval;
    this.existing = options.existing ?? true;
  }

  protected async run(signal: AbortSignal): Promise<void> {
    // Every name seen stays here to be emitted once: the bound is the number of files the pattern ever matched.
    const seen = new Set<string>();
    let first = true;
    while (!this.stopping) {
      const found: string[] = [];
      for await (const name of glob(this.pattern)) if (!seen.has(name)) found.push(name);
      found.sort();
      for (const name of found) {
        seen.add(name);
        if (first && !this.existing) continue;
        const r = this.emit(name);
        if (r !== undefined) await r;
        if (this.stopping) return;
      }
      first = false;
      await new Promise<void>((resolve) => {
        let timer: Timer | null = null;
        const wake = () => {
          timer?.cancel();
          signal.removeEventListener('abort', wake);
          resolve();
        };
        signal.addEventListener('abort', wake);
        timer = this.clock.setTimer(this.interval, wake);
      });
    }
  }
}

declare module '../../core/stream.ts' {
  namespace Stream {
    /**
     * A source of the names of files matching a glob pattern, new ones as they appear (see {@link FilenamesSource}).
     * @example
     * Stream.filenames('incoming/*.jsonl', { pollInterval: '2s' }).sink(console.log);
     */
    function filenames(pattern: string, options?: FilenamesOptions): FilenamesSource;
  }
}

Object.assign(Stream, {
  filenames(pattern: string, options: FilenamesOptions = {}): FilenamesSource {
    return new FilenamesSource(pattern, options);
  },
});
