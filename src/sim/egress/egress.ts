import { describe, TwinstreamError } from '../../errors.ts';
import type { SimRecord } from '../telemetry.ts';

/**
 * Where published records go. `write` receives whole batches, in order; a returned promise holds the next batch
 * (and, through the bounded queue, the simulation) back until it settles.
 */
export interface EgressSink {
  /** A name for errors. */
  readonly name: string;
  write(batch: readonly SimRecord[]): void | Promise<void>;
  /** Flushes and releases what the sink holds (files, connections). */
  close?(): void | Promise<void>;
}

/** Options of the egress queue. */
export interface EgressOptions {
  /** Records per batch handed to the sinks (default 1000). */
  batchSize?: number;
  /** Simulated time between flushes of a partial batch (default: only full batches, and at teardown). */
  flushInterval?: number;
  /**
   * The bound of the queue, in records (buffered plus handed to sinks and not yet written; default 10 × batchSize).
   * When it is reached, the running simulation waits until the sinks catch up: it never drops and never grows past
   * the bound by more than what one simulation step publishes.
   */
  maxPending?: number;
}

/**
 * The bounded egress queue between a simulation and its sinks: it batches published records, hands each batch to
 * every sink in order, flushes partial batches every `flushInterval` of simulated time, tells the run loop when it
 * is full, and drains everything on `teardown()`. A sink error stops the queue and is rethrown to the run.
 *
 * @example
 * const egress = new Egress([new ConsoleEgress()], { batchSize: 100, flushInterval: 60 });
 * egress.publish(record);
 * await egress.teardown();
 */
export class Egress {
  readonly sinks: readonly EgressSink[];
  readonly batchSize: number;
  readonly flushInterval: number;
  readonly maxPending: number;
  private buffer: SimRecord[] = [];
  private inFlight = 0;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private lastFlush = 0;
  private closed = false;
  /** Records written by every sink so far. */
  written = 0;

  constructor(sinks: readonly EgressSink[], options: EgressOptions = {}) {
    if (
      !Array.isArray(sinks) ||
      sinks.some((s) => s === null || typeof s !== 'object' || typeof s.write !== 'function')
    ) {
      throw new TwinstreamError(
        'TS_SIM_BAD_EGRESS',
        `egress: sinks = ${describe(sinks)} is not valid; expected an array of sinks with write(batch)`,
      );
    }
    this.sinks = sinks;
    this.batchSize = positive(options.batchSize ?? 1000, 'batchSize', true);
    this.flushInterval = positive(options.flushInterval ?? Number.POSITIVE_INFINITY, 'flushInterval', false);
    this.maxPending = positive(options.maxPending ?? 10 * this.batchSize, 'maxPending', true);
    if (this.maxPending < this.batchSize) {
      throw new TwinstreamError(
        'TS_SIM_BAD_EGRESS',
        `egress: maxPending (${this.maxPending}) must be >= batchSize (${this.batchSize})`,
      );
    }
  }

  /** Records buffered or being written. */
  get pending(): number {
    return this.buffer.length + this.inFlight;
  }

  /** True when the run loop should wait (`await drain()`) before the next step. */
  get full(): boolean {
    return this.buffer.length + this.inFlight >= this.maxPending;
  }

  /** Queues a record; a full batch goes to the sinks at once. */
  publish(record: SimRecord): void {
    if (this.failure !== null) throw this.failure;
    if (this.closed) throw new TwinstreamError('TS_SIM_EGRESS_CLOSED', 'egress: publish() after teardown()');
    this.buffer.push(record);
    if (this.buffer.length >= this.batchSize) this.flush();
  }

  /** Called by the run loop with the simulated time before each step: flushes when `flushInterval` has passed. */
  tick(now: number): void {
    if (now - this.lastFlush >= this.flushInterval) {
      this.lastFlush = now;
      if (this.buffer.length > 0) this.flush();
    }
  }

  /** Hands the buffered records to the sinks now. */
  flush(): void {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.inFlight += batch.length;
    this.chain = this.chain.then(async () => {
      try {
        if (this.failure === null) {
          for (const sink of this.sinks) await sink.write(batch);
          this.written += batch.length;
        }
      } catch (error) {
        this.failure ??= error;
      } finally {
        this.inFlight -= batch.length;
      }
    });
  }

  /** Waits until every batch handed to the sinks is written; rethrows a sink's error. */
  async drain(): Promise<void> {
    await this.chain;
    if (this.failure !== null) throw this.failure;
  }

  /** Flushes, waits for every write, closes the sinks. Rethrows the first sink error. */
  async teardown(): Promise<void> {
    if (this.closed) return this.drain();
    this.flush();
    this.closed = true;
    await this.chain;
    for (const sink of this.sinks) {
      try {
        await sink.close?.();
      } catch (error) {
        this.failure ??= error;
      }
    }
    if (this.failure !== null) throw this.failure;
  }
}

function positive(value: unknown, name: string, integer: boolean): number {
  const ok = typeof value === 'number' && value > 0 && (!integer || Number.isInteger(value));
  if (!ok) {
    throw new TwinstreamError(
      'TS_SIM_BAD_EGRESS',
      `egress: ${name} = ${describe(value)} is not valid; expected ${integer ? 'an integer' : 'a number'} > 0`,
    );
  }
  return value as number;
}
