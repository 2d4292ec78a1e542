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
  value: unknown;
  sim_ts: number;
  timestamp: string;
}

/** What the simulation publishes to egress. Sinks may reshape records (a path router flattens or drops them). */
export type SimRecord = TelemetryRecord | EventRecord;

/** The path of the lag telemetry a paced environment publishes: seconds the simulation runs behind the wall clock. */
export const LAG_PATH = 'system.simulation.lag_seconds';

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
    timestamp: new Date(timestampMs).toISOString(),
  };
}

/**
 * Builds an event record.
 *
 * @example
 * eventRecord('task-1', { status: 'queued' }, 0, 0);
 * // { stream_type: 'event', key: 'task-1', value: { status: 'queued' }, sim_ts: 0, timestamp: '1970-01-01T00:00:00.000Z' }
 */
export function eventRecord(key: string, value: unknown, simTs: number, timestampMs: number): EventRecord {
  return { stream_type: 'event', key, value, sim_ts: simTs, timestamp: new Date(timestampMs).toISOString() };
}
