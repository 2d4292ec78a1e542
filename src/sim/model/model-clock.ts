import { TwinstreamError } from '../../errors.ts';
import { simSeconds } from '../sim-duration.ts';
import { zoneOffset } from '../zone-offset.ts';

/** Where a model's simulated time starts and, with `goLiveAt`, where it turns live. */
export interface ModelClock {
  /** The timestamp (ms since the epoch, UTC) simulated time 0 maps to. */
  startMs: number;
  /** The simulated time (seconds) from which the run is paced as a live twin; undefined: no switch. */
  goLive: number | undefined;
  /** Why the clock is not quite what was asked (a `goLiveAt` before the start). */
  warning?: string;
}

const RELATIVE = /^\s*([+-])\s*(.+)$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?$/;

/**
 * A model time written as `now`, a signed duration from now (`-7d`, `+2 hours`), an ISO 8601 time with a zone
 * (`2024-01-01T00:00:00Z`, `…+01:00`), or a local ISO time (`2024-01-01T06:00`) read in `timeZone` (an IANA name
 * such as `Europe/Paris`; default UTC). `field` names it in errors.
 *
 * @example
 * modelTime('-7d', Date.parse('2024-01-08T00:00:00Z'), undefined, 'run.logicalStartTime'); // Date.parse('2024-01-01T00:00:00Z')
 * @internal
 */
export function modelTime(text: string, nowMs: number, timeZone: string | undefined, field: string): number {
  if (text.trim() === 'now') return nowMs;
  const rel = RELATIVE.exec(text);
  if (rel !== null) {
    const s = simSeconds(rel[2]!);
    if (s !== undefined) return nowMs + (rel[1] === '-' ? -s : s) * 1000;
  }
  const local = LOCAL.exec(text.trim());
  if (local !== null) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = ''] = local;
    const wall = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s, frac === '' ? 0 : Math.round(Number(frac) * 1000));
    return timeZone === undefined ? wall : wall - zoneOffsetMs(wall, timeZone, field);
  }
  const ms = Date.parse(text);
  if (Number.isFinite(ms) && /(Z|[+-]\d{2}:?\d{2})$/i.test(text.trim())) return ms;
  throw new TwinstreamError(
    'TS_SIM_BAD_MODEL',
    `${field} = ${JSON.stringify(text)} is not valid; expected now, a signed duration from now such as -7d, or an ISO 8601 time (2024-01-01T00:00:00Z, or local time read in run.timeZone)`,
    { context: { field, value: text } },
  );
}

// The zone's offset from UTC at a local wall time: format the UTC instant in the zone and compare. Applied twice,
// so a wall time near a daylight-saving change lands on the offset in force then.
function zoneOffsetMs(wall: number, timeZone: string, field: string): number {
  let offsetAt: (instant: number) => number;
  try {
    offsetAt = zoneOffset(timeZone);
  } catch (error) {
    throw new TwinstreamError(
      'TS_SIM_BAD_MODEL',
      `run.timeZone = ${JSON.stringify(timeZone)} (for ${field}) is not a time zone; expected an IANA name such as Europe/Paris or UTC`,
      { cause: error },
    );
  }
  const first = offsetAt(wall);
  return offsetAt(wall - first);
}

/**
 * The clock of a run: its start (`logicalStartTime`, default now) and where it goes live (`goLiveAt`), both read as
 * `modelTime` does. A `goLiveAt` before the start makes the whole run live (goLive 0), with a warning, as desflow's.
 *
 * @example
 * modelClock({ logicalStartTime: '-7d', goLiveAt: 'now' }, Date.now()); // { startMs: a week ago, goLive: 604800 }
 * @internal
 */
export function modelClock(
  run: { logicalStartTime?: string; goLiveAt?: string; timeZone?: string },
  nowMs: number,
): ModelClock {
  const tz = run.timeZone;
  const startMs =
    run.logicalStartTime === undefined ? nowMs : modelTime(run.logicalStartTime, nowMs, tz, 'run.logicalStartTime');
  if (run.goLiveAt === undefined) return { startMs, goLive: undefined };
  const liveMs = modelTime(run.goLiveAt, nowMs, tz, 'run.goLiveAt');
  if (liveMs < startMs) {
    return {
      startMs,
      goLive: 0,
      warning: `run.goLiveAt = ${JSON.stringify(run.goLiveAt)} (${new Date(liveMs).toISOString()}) is before the start (${new Date(startMs).toISOString()}), so the whole run is paced as a live twin`,
    };
  }
  return { startMs, goLive: (liveMs - startMs) / 1000 };
}

/**
 * Whether `name` is a time zone this runtime knows.
 *
 * @example isTimeZone('Europe/Paris'); // true
 * @internal
 */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * The schema of a model time (`now`, `-7d`, an ISO 8601 time): a string `modelTime` reads.
 *
 * @example const start = modelTimeSchema(z);
 * @internal
 */
export function modelTimeSchema(z: typeof import('zod').z) {
  return z.string({ error: 'expected a time' }).refine(
    (v) => {
      try {
        modelTime(v, 0, undefined, '');
        return true;
      } catch {
        return false;
      }
    },
    { error: 'expected now, a signed duration from now such as -7d, or an ISO 8601 time such as 2024-01-01T00:00:00Z' },
  );
}
