import { z } from 'zod';
import { describe, TwinstreamError } from '../errors.ts';
import { realClock, type Timer } from '../time/clock.ts';
import { toMillis } from '../time/duration.ts';
import { TimeIndex } from '../time/time-index.ts';
import { DataStreamHandler } from './data-stream-handler.ts';
import { interpolationField, toleranceField } from './handler-config.ts';
import { timeValue } from './time-value.ts';

const duration = z.union([
  z.number().min(0),
  z.string().regex(/^\s*(\d+(\.\d+)?|\.\d+)\s*(ms|s|m|h|d)\s*$/, "a duration like '250ms', '10s'"),
]);

/** What a message parser returns: the time and the values by field name (or null to skip the message). */
export interface ParsedMessage {
  t: unknown;
  values: Record<string, unknown>;
}

/** The config fields every live handler shares. */
export const liveFields = {
  interpolation: interpolationField,
  tolerance: toleranceField,
  /** How long `waitFor(t)` waits for the stream to reach `t`. */
  timeout: duration.default('10s'),
  /** How long it waits when nothing has arrived yet. */
  firstMessageTimeout: duration.default('30s'),
  /** When the stream has not reached `t` in time: hold the last value (and count it), or fail. */
  whenBehind: z.enum(['hold', 'error']).default('hold'),
  /** Rows kept (oldest dropped first). */
  maxRows: z.number().int().min(1).default(100_000),
  /** Rows kept by age, in the unit of the times (default: all within maxRows). */
  retain: z.number().min(0).optional(),
  /** The field holding the time. */
  timeField: z.string().min(1).default('t'),
  /** The unit ISO times become: seconds (default) or milliseconds. */
  timeUnit: z.enum(['s', 'ms']).default('s'),
  /** Turns a payload into `{ t, values }`; default: a JSON object with the time under `timeField`. */
  parse: z.custom<(payload: Buffer) => ParsedMessage | null>((f) => typeof f === 'function', 'a function').optional(),
};

interface Waiter {
  t: number;
  resolve(): void;
  reject(error: unknown): void;
  timer: Timer;
}

/**
 * The base of handlers fed in the background (Kafka, MQTT): messages go into a bounded, sorted time index; a bad
 * message goes to `errors` with its offset and reason while the handler keeps serving what it has. `waitFor(t)`
 * waits until the stream's watermark reaches `t` or `timeout` elapses, then follows `whenBehind`: `'hold'` (the
 * last values serve; `behind` counts it and `lag` says by how much) or `'error'` (`TS_HANDLER_BEHIND`).
 */
export abstract class LiveHandler extends DataStreamHandler {
  declare readonly config: z.output<z.ZodObject<typeof liveFields>>;
  /** Times `waitFor` gave up waiting and held the last values. */
  behind = 0;
  /** How far behind the requested time the stream was the last time it held (0 when caught up). */
  lag = 0;
  /** Messages put into the index. */
  received = 0;
  /** Why the stream stopped feeding the handler, when it failed (`waitFor` then rejects with it). */
  failure: unknown = null;
  private waiters: Waiter[] = [];
  private aliases: string[] = [];

  /** Opens the connection and feeds `ingest`; called by `start()` once the index exists. */
  protected abstract open(): Promise<void>;
  /** Closes the connection. */
  protected abstract close(): Promise<void>;

  async start(): Promise<void> {
    if (this.index !== null) return;
    this.aliases = [...new Set(this.variables.map((v) => v.alias))];
    const { maxRows, retain, tolerance } = this.config;
    this.setIndex(
      new TimeIndex({
        columns: this.aliases,
        maxRows,
        ...(retain === undefined ? {} : { retain }),
        ...(tolerance === undefined ? {} : { tolerance }),
      }),
    );
    await this.open();
  }

  override async stop(): Promise<void> {
    for (const w of this.waiters.splice(0)) {
      w.timer.cancel();
      w.resolve();
    }
    await this.close();
  }

  /** Records that the stream failed: pending and later `waitFor` calls reject with `error`. */
  protected fail(error: unknown): void {
    this.failure = error;
    for (const w of this.waiters.splice(0)) {
      w.timer.cancel();
      w.reject(error);
    }
  }

  /** Reads one message into the index; a bad one goes to `errors` with `offset` and the reason. */
  protected ingest(payload: unknown, offset: string): void {
    const reason = this.read(payload);
    if (reason !== null) this.reportError(offset, reason);
  }

  /** Reads one message into the index; returns why it could not (and changes nothing), or null. */
  protected read(payload: unknown): string | null {
    const index = this.index!;
    let message: ParsedMessage | null;
    try {
      message = this.config.parse ? this.config.parse(payload as Buffer) : this.parseDefault(payload);
    } catch (error) {
      return `the parser failed: ${(error as Error).message}`;
    }
    if (message === null) return null;
    const t = timeValue(message.t, this.config.timeUnit);
    if (Number.isNaN(t)) return `no time: "${this.config.timeField}" is ${JSON.stringify(message.t) ?? 'missing'}`;
    const row = new Float64Array(this.aliases.length);
    for (let c = 0; c < this.aliases.length; c++) {
      const name = this.aliases[c]!;
      const raw = Object.hasOwn(message.values, name) ? message.values[name] : undefined;
      let v = Number.NaN;
      if (typeof raw === 'number') v = raw;
      else if (typeof raw === 'string' && raw.trim() !== '') v = Number(raw);
      // A missing field is a missing value (NaN); a field that is there must be a number.
      if (Number.isNaN(v) && raw !== undefined && raw !== null && raw !== 'NaN') {
        return `"${name}" = ${JSON.stringify(raw)} is not a number`;
      }
      row[c] = v;
    }
    if (!index.insert(t, row)) return `t = ${t} is older than the retained window (watermark ${index.watermark})`;
    this.received++;
    if (this.waiters.length > 0) this.wake();
    return null;
  }

  private parseDefault(payload: unknown): ParsedMessage {
    const value = Buffer.isBuffer(payload) ? JSON.parse(payload.toString('utf8')) : payload;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new TwinstreamError('TS_HANDLER_BAD_MESSAGE', `expected a JSON object, got ${describe(value)}`);
    }
    const record = value as Record<string, unknown>;
    return {
      t: Object.hasOwn(record, this.config.timeField) ? record[this.config.timeField] : undefined,
      values: record,
    };
  }

  private reached(t: number): boolean {
    return this.index!.reached(t);
  }

  private wake(): void {
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (this.reached(w.t)) {
        w.timer.cancel();
        w.resolve();
      } else keep.push(w);
    }
    this.waiters = keep;
  }

  /**
   * Resolves when the stream reached `t` (its watermark within the tolerance of `t` or past it). After `timeout`
   * (`firstMessageTimeout` before any message) it resolves holding the last values, or rejects with
   * `TS_HANDLER_BEHIND` under `whenBehind: 'error'`.
   */
  override waitFor(t: number): Promise<void> {
    if (this.index === null) return Promise.reject(this.notStarted());
    if (this.failure !== null) return Promise.reject(this.failure);
    const index = this.index;
    if (this.reached(t)) {
      this.lag = 0;
      return Promise.resolve();
    }
    const first = index.watermark === Number.NEGATIVE_INFINITY;
    const ms = toMillis(first ? this.config.firstMessageTimeout : this.config.timeout, 'timeout');
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        t,
        resolve: () => {
          this.lag = 0;
          resolve();
        },
        reject,
        timer: realClock.setTimer(ms, () => {
          this.waiters = this.waiters.filter((x) => x !== w);
          const mark = index.watermark;
          const lag = t - mark;
          const where = `${this.describeStream()} has not reached t = ${t} after ${ms} ms: ${mark === Number.NEGATIVE_INFINITY ? 'no message yet' : `its latest time is ${mark}, ${lag} behind`}`;
          if (this.config.whenBehind === 'error') {
            reject(new TwinstreamError('TS_HANDLER_BEHIND', where, { context: { t, watermark: mark } }));
            return;
          }
          this.behind++;
          this.lag = lag;
          resolve();
        }),
      };
      this.waiters.push(w);
    });
  }
}
