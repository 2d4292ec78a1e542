import { badArgument, TwinstreamError } from '../errors.ts';
import { realClock } from '../time/clock.ts';
import { Egress, type EgressOptions, type EgressSink } from './egress/egress.ts';
import { BaseEnvironment, type EnvironmentOptions, type RunOptions } from './kernel/environment.ts';
import { DEFUSED, Event, FAILED, PROCESSED } from './kernel/events.ts';
import { ParameterRegistry } from './parameters.ts';
import { eventRecord, isoTimestamp, LAG_PATH, type SimRecord, telemetryRecord } from './telemetry.ts';
import { zonedTimestamp } from './zoned-timestamp.ts';

/** Options of a real-time environment. */
export interface RealtimeOptions extends EnvironmentOptions {
  /** Wall-clock time per simulated time: 1 = real time, 0.5 = twice as fast, 0 = unpaced (default 1). */
  factor?: number;
  /** Throw `TS_SIM_TOO_SLOW` when the simulation falls behind the wall clock by more than `maxLag` (default false). */
  strict?: boolean;
  /** The lag, in wall-clock seconds, that `strict` tolerates (default: one simulated time unit of wall time). */
  maxLag?: number;
  /** Simulated time between two lag samples published as `system.simulation.lag_seconds` (default 1; paced runs only). */
  lagInterval?: number;
  /**
   * Write record timestamps as local times in this IANA time zone with their offset
   * (`2024-01-01T06:00:00.000+01:00`), as desflow does; default: UTC (`2024-01-01T05:00:00.000Z`).
   */
  timeZone?: string;
}

// Unpaced runs give the event loop a turn this often (wall ms), so I/O (egress, parameter updates) goes on.
const YIELD_EVERY_MS = 20;

const yieldTurn = (): Promise<void> =>
  new Promise((resolve) => {
    const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
    if (immediate) immediate(resolve);
    else setTimeout(resolve, 0);
  });

/**
 * An environment paced against the wall clock, for live digital twins (`factor: 1`), or unpaced (`factor: 0`) to
 * backfill history as fast as the CPU allows; `run()` is asynchronous so egress, parameter updates and other I/O go
 * on while it runs. Simulated time maps to timestamps through `logicalStartTime` (default: now) and `timeUnit`
 * (default `'1s'`). It publishes telemetry and events to egress sinks through a bounded queue that holds the
 * simulation back when the sinks fall behind.
 *
 * @example
 * const env = new RealtimeEnvironment({ factor: 0, logicalStartTime: '2024-01-01T00:00:00Z' });
 * env.setupEgress([new JsonlStorageEgress({ directory: 'out' })], { batchSize: 5000, flushInterval: 86_400 });
 * env.process(function* () { for (;;) { env.publishTelemetry('line.temp', 20); yield env.timeout(60); } }());
 * await env.run({ until: 7 * 86_400 });
 * await env.teardown();
 */
export class RealtimeEnvironment extends BaseEnvironment {
  /** Wall time per simulated time; may change between two `run` calls (a backfill unpaced, then live). */
  factor: number;
  readonly strict: boolean;
  readonly maxLagSeconds: number;
  readonly lagInterval: number;
  /** The live parameters of this simulation. */
  readonly registry: ParameterRegistry = new ParameterRegistry(this);
  /** The egress queue, once `setupEgress` was called. */
  egress: Egress | null = null;
  /** The last lag measured, in seconds (0 when unpaced). */
  lagSeconds = 0;
  private wakeUp: (() => void) | null = null;
  private running = false;
  private stopRequested = false;
  private readonly stamp: ((ms: number) => string) | null;

  constructor(options: RealtimeOptions = {}) {
    super({ ...options, logicalStartTime: options.logicalStartTime ?? realClock.now() });
    const factor = options.factor ?? 1;
    if (typeof factor !== 'number' || !(factor >= 0) || !Number.isFinite(factor)) {
      badArgument('RealtimeEnvironment', 'factor', factor, 'a finite number >= 0 (0 = unpaced)');
    }
    this.factor = factor;
    this.strict = options.strict ?? false;
    this.maxLagSeconds = options.maxLag ?? (factor * this.timeUnitMs) / 1000;
    this.lagInterval = options.lagInterval ?? 1;
    this.stamp = options.timeZone === undefined ? null : zonedTimestamp(options.timeZone);
    if (!(this.lagInterval > 0)) {
      badArgument('RealtimeEnvironment', 'lagInterval', options.lagInterval, 'a number > 0');
    }
  }

  /** Sends published records to `sinks` through a bounded, batching queue. */
  setupEgress(sinks: readonly EgressSink[], options: EgressOptions = {}): Egress {
    if (this.egress !== null) throw new TwinstreamError('TS_SIM_BAD_EGRESS', 'setupEgress(): egress is set up already');
    this.egress = new Egress(sinks, options);
    return this.egress;
  }

  /** Publishes a telemetry sample `{ path_id, value, sim_ts, timestamp, stream_type: 'telemetry' }`. */
  publishTelemetry(pathId: string, value: unknown): void {
    const r = telemetryRecord(pathId, value, this._now, this.toTimestamp());
    if (this.stamp !== null) r.timestamp = this.stamp(this.toTimestamp());
    this.publish(r);
  }

  /** A timestamp (ms since the epoch) as records write it: ISO 8601 in UTC, or in `timeZone` with its offset. */
  formatTimestamp(ms: number): string {
    return this.stamp === null ? isoTimestamp(ms) : this.stamp(ms);
  }

  /**
   * Publishes a lifecycle event `{ key, value, sim_ts, timestamp, stream_type: 'event' }`, with `task` and `instance`
   * fields when a task is given (as desflow's records carry them).
   */
  publishEvent(key: string, value: unknown, task?: string, instance?: number): void {
    const r = eventRecord(key, value, this._now, this.toTimestamp(), task, instance);
    if (this.stamp !== null) r.timestamp = this.stamp(this.toTimestamp());
    this.publish(r);
  }

  private publish(record: SimRecord): void {
    if (this.egress === null) return;
    this.egress.publish(record);
  }

  /**
   * Wakes a paced run that sleeps until its next event, so something scheduled from outside (a parameter update
   * from Kafka) runs now; simulated time first moves to the wall clock's.
   */
  notifyExternalInput(): void {
    const wake = this.wakeUp;
    if (wake !== null) wake();
  }

  /**
   * Runs like `Environment.run`, paced by `factor`, yielding to the event loop while it waits (and every
   * ~20 ms when unpaced). Resolves with the value of the `until` event, or undefined.
   */
  async run<T = unknown>(options: RunOptions<T> = {}): Promise<T | undefined> {
    if (this.running) throw new TwinstreamError('TS_SIM_ALREADY_RUNNING', 'run(): this environment is running already');
    const until = options.until;
    if (until instanceof Event && until._state === PROCESSED) return outcome(until);
    if (this.stopRequested) return undefined;
    const stop = this._stopEvent(until);
    let stopped = false;
    const onStop = (): void => {
      stopped = true;
    };
    stop?.addCallback(onStop);
    this.running = true;
    try {
      await this.loop(() => stopped || this.stopRequested);
    } finally {
      this.running = false;
      if (!stopped) stop?.removeCallback(onStop);
    }
    if (stop !== null && !stopped && !this.stopRequested) {
      throw new TwinstreamError(
        'TS_SIM_UNTIL_NOT_TRIGGERED',
        `run({ until }): no event is left, but ${stop.describe()} given as until was never triggered`,
      );
    }
    return stop !== null && until instanceof Event && stopped ? outcome(stop) : undefined;
  }

  private async loop(stopped: () => boolean): Promise<void> {
    const q = this._queue;
    const egress = this.egress;
    const paced = this.factor > 0;
    const wallPerUnit = this.factor * this.timeUnitMs;
    const wallStart = realClock.now();
    const simStart = this._now;
    let nextLag = this._now;
    let lastYield = wallStart;
    let count = 0;
    while (!stopped() && q.size > 0) {
      const next = q.peekTime();
      if (paced) {
        const due = wallStart + (next - simStart) * wallPerUnit;
        const wall = realClock.now();
        if (due > wall) {
          await this.sleep(due - wall, simStart, wallStart, wallPerUnit, next);
          continue; // something may have been scheduled meanwhile
        }
        const lag = (wall - due) / 1000;
        this.lagSeconds = lag;
        if (this.strict && lag > this.maxLagSeconds) {
          throw new TwinstreamError(
            'TS_SIM_TOO_SLOW',
            `the simulation is ${lag.toFixed(3)} s behind the wall clock at simulated time ${next}, more than maxLag ${this.maxLagSeconds} s (strict mode)`,
          );
        }
        if (next >= nextLag && egress !== null) {
          nextLag = next + this.lagInterval;
          this._now = next;
          this.publishTelemetry(LAG_PATH, lag);
        }
      }
      if (egress !== null) egress.tick(next);
      this.step();
      if (egress?.full) await egress.drain();
      if ((++count & 1023) === 0 && !paced) {
        const wall = realClock.now();
        if (wall - lastYield > YIELD_EVERY_MS) {
          await yieldTurn();
          lastYield = realClock.now();
        }
      }
    }
  }

  private sleep(ms: number, simStart: number, wallStart: number, wallPerUnit: number, next: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = realClock.setTimer(ms, () => {
        this.wakeUp = null;
        resolve();
      });
      this.wakeUp = () => {
        timer.cancel();
        this.wakeUp = null;
        // Input from outside happens now: move simulated time to the wall clock's, never past the next event.
        const simNow = simStart + (realClock.now() - wallStart) / wallPerUnit;
        this._now = Math.max(this._now, Math.min(simNow, next));
        resolve();
      };
    });
  }

  /**
   * Ends the run under way after the event being processed (a paced run waiting for its next event wakes at once),
   * and every later `run()` returns at once: `run()` resolves as if its `until` had come. Call `teardown()` next to
   * flush and close the sinks. From a process, an event callback, a signal handler or a timer.
   *
   * @example
   * process.once('SIGTERM', () => env.stop());
   * await env.run({ until: 86_400 });
   * await env.teardown();
   */
  stop(): void {
    this.stopRequested = true;
    this.wakeUp?.();
  }

  /** True once `stop()` was called. */
  get stopped(): boolean {
    return this.stopRequested;
  }

  /** Drains the egress queue and closes its sinks. */
  async teardown(): Promise<void> {
    await this.egress?.teardown();
  }
}

function outcome<T>(ev: Event<T>): T {
  if ((ev._fail & FAILED) === 0) return ev._value;
  ev._fail = FAILED | DEFUSED;
  throw ev._value;
}
