// Durations in simulated time as models write them: '90s', '5m', '1.5h', '7d', and desflow's words ('5 min',
// '2.5 hours', '1 week'), in seconds, the models' time unit.

const SECONDS: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, {
  ms: 0.001,
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  w: 604_800,
  wk: 604_800,
  week: 604_800,
  weeks: 604_800,
  // desflow's calendar-free month (30 days) and year (365 days).
  mo: 2_592_000,
  month: 2_592_000,
  months: 2_592_000,
  y: 31_536_000,
  yr: 31_536_000,
  year: 31_536_000,
  years: 31_536_000,
});

/** @internal A simulated duration string: a number, optional spaces, a unit word. */
export const SIM_DURATION_PATTERN = '^\\s*(\\d+(\\.\\d+)?|\\.\\d+)\\s*[A-Za-z]+\\s*$';
const PATTERN = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([A-Za-z]+)\s*$/;

/** @internal The unit words a simulated duration accepts, for error messages. */
export const SIM_DURATION_UNITS =
  'ms, s, sec, m, min, h, hr, hour, d, day, w, week, mo, month (30 d), y, year (365 d) and their plurals';

/**
 * A simulated duration in seconds: `'5 min'` is 300, `'1.5h'` is 5400, `'1 week'` is 604800; undefined for a string
 * that is not one (a number of seconds is the caller's to accept).
 *
 * @example
 * simSeconds('5 min'); // 300
 * simSeconds('soon'); // undefined
 * @internal
 */
export function simSeconds(text: string): number | undefined {
  const m = PATTERN.exec(text);
  if (m === null) return undefined;
  const unit = SECONDS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const s = Number(m[1]) * unit;
  return Number.isFinite(s) ? s : undefined;
}
