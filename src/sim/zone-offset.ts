/**
 * @internal The offset from UTC (ms) of an IANA time zone at an instant, as a function of the instant: it formats
 * the instant as a wall time in the zone and reads that back as if it were UTC. The formatter is made once;
 * an unknown zone throws the `RangeError` of `Intl.DateTimeFormat` here, for the caller to turn into its own error.
 *
 * @example
 * const paris = zoneOffset('Europe/Paris');
 * paris(Date.parse('2024-01-01T05:00:00Z')); // 3600000
 */
export function zoneOffset(timeZone: string): (instantMs: number) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return (instant) => {
    const p = Object.fromEntries(format.formatToParts(instant).map((x) => [x.type, x.value]));
    const asUtc = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
    // The wall time has whole seconds: compare it with the instant's whole second.
    return asUtc - (instant - (instant % 1000));
  };
}
