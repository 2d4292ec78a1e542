import { Source } from '../../core/source.ts';
import { Stream, type StreamOptions } from '../../core/stream.ts';
import type { Acknowledgement } from './acknowledgement.ts';

/** One piece of outside input a connector refused, and why. */
export interface MalformedInput {
  /** A short stable reason: `'invalid-json'`, `'invalid-utf8'`, `'too-large'`, `'unauthorized'`, ... */
  reason: string;
  /** What was wrong, for a person: names the field, line or offset. */
  message: string;
  /** Where it came from: a topic, a peer address, a path. */
  from: string;
  /** The first bytes of the input (at most 256), for a dead-letter store. */
  sample?: Buffer | string;
}

/**
 * The base of twinstream's network and file sources: the contract every connector follows.
 * - it emits with back pressure (`deliver` awaits the graph);
 * - it acknowledges upstream when every element of a unit of input has been let go of by the graph
 *   (`deliver(..., ack)` with an {@link Acknowledgement});
 * - malformed input goes to `malformedInput()` (a branch stream) and to the counters `malformed` and
 *   `malformedBy`, never stops the source;
 * - `stop()` (or `await using`) closes it; `done` settles when everything it emitted is through the graph.
 *
 * @example
 * class Lines extends ConnectorSource<string> {
 *   protected async run(signal: AbortSignal) { ... await this.deliver(line, ack); ... }
 * }
 */
export abstract class ConnectorSource<T> extends Source<T> {
  /** Pieces of input refused as malformed, in all. */
  malformed = 0;
  /** The same, by reason. */
  readonly malformedBy = new Map<string, number>();
  /** Elements emitted. */
  delivered = 0;
  private branch: Stream<MalformedInput> | null = null;

  constructor(options: StreamOptions = {}) {
    super(options);
  }

  /**
   * The refused input as a stream of {@link MalformedInput}: count it, log it, dead-letter it.
   * @example source.malformedInput().sink((m) => console.warn(m.reason, m.message));
   */
  malformedInput(): Stream<MalformedInput> {
    this.branch ??= new Stream<MalformedInput>({ clock: this.clock, name: `${this.label()}.malformed` });
    return this.branch;
  }

  /** @internal Counts and reports one refused piece of input. Never throws: a bad report must not stop a server. */
  protected reject(reason: string, message: string, from: string, raw?: Buffer | string): void {
    this.malformed++;
    this.malformedBy.set(reason, (this.malformedBy.get(reason) ?? 0) + 1);
    const branch = this.branch;
    if (branch === null) return;
    const sample = raw === undefined ? undefined : raw.slice(0, 256);
    try {
      const r = branch.emit({ reason, message, from, ...(sample === undefined ? {} : { sample }) });
      if (r !== undefined) r.catch(() => {});
    } catch {
      // A failing report handler is the user's to fix; the input was refused either way.
    }
  }

  /**
   * @internal Emits `x` held by `ack` (when given); returns the back pressure of the graph. A delivery that
   * throws marks the acknowledgement failed and rethrows.
   */
  protected deliver(x: T, ack?: Acknowledgement): void | Promise<void> {
    this.delivered++;
    try {
      const r = this.emit(x, ack?.metadata);
      if (r === undefined || ack === undefined) return r;
      return r.catch((e) => {
        ack.fail(e);
        throw e;
      });
    } catch (e) {
      ack?.fail(e);
      throw e;
    }
  }
}
