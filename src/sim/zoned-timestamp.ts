import { badArgument } from '../errors.ts';
import { isoTimestamp } from './telemetry.ts';
import { zoneOffset } from './zone-offset.ts';

// A zone's offset holds for a while: it is looked up once per quarter of an hour (offsets change on the quarter
// hour at the finest), so formatting stays a string operation per record.
const BLOCK_MS = 900_000;

/**
 * A formatter of timestamps as local times in an IANA time zone with their offset, as desflow writes them
 * (`2024-01-01T06:00:10.000+01:00`); `UTC` gives `+00:00`. The offset in force at each instant is used, so a run
 * across a daylight-saving change writes both.
 *
 * @example
 * const stamp = zonedTimestamp('Europe/Paris');
 * stamp(Date.parse('2024-01-01T05:00:10Z')); // '2024-01-01T06:00:10.000+01:00'
 * @internal
 */
export function zonedTimestamp(timeZone: string): (ms: number) => string {
  let offsetAt: (instant: number) => number;
  try {
    offsetAt = zoneOffset(timeZone);
  } catch {
    return badArgument('zonedTimestamp', 'timeZone', timeZone, 'an IANA time zone such as Europe/Paris or UTC');
  }
  let block = Number.NaN;
  let offsetMs = 0;
  let suffix = '+00:00';
  return (ms) => {
    const b = Math.floor(ms / BLOCK_MS);
    if (b !== block) {
      block = b;
      const start = b * BLOCK_MS;
      offsetMs = offsetAt(start);
      const minutes = Math.round(Math.abs(offsetMs) / 60_000);
      const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
      const mm = String(minutes % 60).padStart(2, '0');
      suffix = `${offsetMs < 0 ? '-' : '+'}${hh}:${mm}`;
    }
    const local = isoTimestamp(ms + offsetMs);
    return `${local.slice(0, -1)}${suffix}`;
  };
}
