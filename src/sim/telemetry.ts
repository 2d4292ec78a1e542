/** A telemetry sample: a numeric (or other) reading of a path at a simulated time. */
export interface TelemetryRecord {
  stream_type: 'telemetry';
  /** The dot path of what was measured, e.g. `Line_A.lathe.in_use`. */
  path_id: string;
  value: unknown;
  /** Simulated time of the sample. */
  sim_ts: number;
  /** ISO 8601 wall-clock timestamp: the logical start time plus the simulated time. */
  timestamp: string;
}

/** A lifecycle event of something in the simulation, e.g. a task `queued`, `started`, `finished`. */
export interface EventRecord {
  stream_type: 'event';
  /** What the event is about, e.g. `task-17`. */
  key: string;
  /** The task the event belongs to (a model's service step), as desflow writes it; absent for events of your own. */
  task?: string;
  /** The task's instance: 0, 1, 2… per task, in the order entities enter it. */
  instance?: number;
  value: unknown;
  sim_ts: number;
  timestamp: string;
}

/** What the simulation publishes to egress. Sinks may reshape records (a path router flattens or drops them). */
export type SimRecord = TelemetryRecord | EventRecord;

/** @internal The path of the lag telemetry a paced environment publishes: seconds the simulation runs behind the wall clock. */
export const LAG_PATH = 'system.simulation.lag_seconds';

const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
let cachedPrefix = '';
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/**
 * The ISO 8601 form of a timestamp, exactly as `new Date(ms).toISOString()`, about ten times faster: the date part
 * is cached per day (simulations publish many records per simulated day).
 *
 * @example
 * isoTimestamp(Date.parse('2024-01-01T12:34:56.789Z')); // '2024-01-01T12:34:56.789Z'
 * @internal
 */
export function isoTimestamp(ms: number): string {
  if (!(ms >= 0 && ms < 253402300800000)) return new Date(ms).toISOString(); // before 1970 or after 9999: the slow way
  const whole = Math.floor(ms);
  const day = Math.floor(whole / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  let rest = whole - day * DAY_MS;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sec = Math.floor(rest / 1000);
  const milli = rest - sec * 1000;
  return `${cachedPrefix}${pad2(h)}:${pad2(m)}:${pad2(sec)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/**
 * Builds a telemetry record.
 *
 * @example
 * telemetryRecord('Line_A.lathe.in_use', 3, 60, Date.parse('2024-01-01T00:01:00Z'));
 * // { stream_type: 'telemetry', path_id: 'Line_A.lathe.in_use', value: 3, sim_ts: 60, timestamp: '2024-01-01T00:01:00.000Z' }
 */
export function telemetryRecord(pathId: string, value: unknown, simTs: number, timestampMs: number): TelemetryRecord {
  return {
    stream_type: 'telemetry',
    path_id: pathId,
    value,
    sim_ts: simTs,
    timestamp: isoTimestamp(timestampMs),
  };
}

/**
 * Builds an event record.
 *
 * @example
 * eventRecord('task-1', { status: 'queued' }, 0, 0);
 * // { stream_type: 'event', key: 'task-1', value: { status: 'queued' }, sim_ts: 0, timestamp: '1970-01-01T00:00:00.000Z' }
 */
export function eventRecord(
  key: string,
  value: unknown,
  simTs: number,
  timestampMs: number,
  task?: string,
  instance?: number,
): EventRecord {
  if (task !== undefined) {
    return { stream_type: 'event', key, task, instance, value, sim_ts: simTs, timestamp: isoTimestamp(timestampMs) };
  }
  return { stream_type: 'event', key, value, sim_ts: simTs, timestamp: isoTimestamp(timestampMs) };
}
