import type { SimRecord } from '../telemetry.ts';
import type { EgressSink } from './egress.ts';

/** Options of a `JsonLinesSink`. */
export interface JsonLinesSinkOptions {
  /** Where each line goes (default: standard output). */
  print?: (line: string) => void;
  /** Only records of these stream types (default: all). */
  streams?: readonly string[];
  /** Leave out records of these telemetry paths (the lag readings describe the wall clock, not the model). */
  skipPaths?: readonly string[];
  /** Print at most this many records; `onLimit` is called once when the last one is printed. */
  limit?: number;
  onLimit?: () => void;
}

/**
 * An egress sink printing each record as one line of JSON: `sim run --stdout` (every record) and `--sample N` (the
 * first N events) are built on it, so a model can be looked at, or piped into `jq`, without writing a file.
 *
 * @example
 * import { JsonLinesSink } from 'twinstream/sim';
 * const sink = new JsonLinesSink({ streams: ['event'], limit: 5 });
 * sink.write([{ stream_type: 'event', key: 'task-0', value: { status: 'queued' }, sim_ts: 0, timestamp: '2024-01-01T00:00:00.000Z' }]);
 * // prints: {"stream_type":"event","key":"task-0","value":{"status":"queued"},"sim_ts":0,"timestamp":"2024-01-01T00:00:00.000Z"}
 */
export class JsonLinesSink implements EgressSink {
  readonly name = 'json-lines';
  /** Records printed so far. */
  printed = 0;
  private readonly print: (line: string) => void;
  private readonly streams: ReadonlySet<string> | null;
  private readonly skipPaths: ReadonlySet<string>;
  private readonly limit: number;
  private readonly onLimit: (() => void) | undefined;

  constructor(options: JsonLinesSinkOptions = {}) {
    this.print = options.print ?? ((line) => void process.stdout.write(`${line}\n`));
    this.streams = options.streams === undefined ? null : new Set(options.streams);
    this.skipPaths = new Set(options.skipPaths ?? []);
    this.limit = options.limit ?? Number.POSITIVE_INFINITY;
    this.onLimit = options.onLimit;
  }

  write(batch: readonly SimRecord[]): void {
    for (const r of batch) {
      if (this.printed >= this.limit) return;
      if (this.streams !== null && !this.streams.has(r.stream_type)) continue;
      if (r.stream_type === 'telemetry' && this.skipPaths.has(r.path_id)) continue;
      this.print(JSON.stringify(r));
      if (++this.printed === this.limit) this.onLimit?.();
    }
  }
}
