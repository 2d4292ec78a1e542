// Clocks and durations (browser-safe). Re-exports only, by name.

export type { Clock, Timer } from './clock.ts';
export { RealClock, realClock, VirtualClock } from './clock.ts';
export type { Duration, DurationUnit } from './duration.ts';
export { toMillis } from './duration.ts';
