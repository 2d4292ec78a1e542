import { relative } from 'node:path';
import type { DemoSummary } from './run-demo.ts';

/**
 * The demo's summary as lines of text: a table of what it did, the files it wrote and how to open them.
 *
 * @example
 * for (const line of formatDemoSummary(await runDemo({ until: 3600 }))) console.log(line);
 * @internal
 */
export function formatDemoSummary(s: DemoSummary, cwd = process.cwd()): string[] {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const wall = Math.max(s.wallSeconds, 1e-9);
  const table: [string, string][] = [
    [
      'simulated time',
      `${(s.simulatedSeconds / 86_400).toFixed(2)} days in ${s.wallSeconds.toFixed(2)} s of wall time`,
    ],
    ['events simulated', `${n(s.events)} (${n(s.events / wall)}/s)`],
    ['records streamed', `${n(s.records)} (${n(s.records / wall)}/s)`],
    ['1-minute windows', `${n(s.windows)} over ${s.sensors.length} sensors (${s.sensors.join(', ')})`],
    ['live view reads', `${n(s.modelReads)}; mean expected wait ${s.meanExpectedWait.toFixed(1)} s`],
    ['decimated rows', `${n(s.storedRows)} in the stored streams`],
    ['rows written', `${n(s.rows)} (${n(s.rows / wall)}/s)`],
  ];
  if (s.kafka !== undefined) {
    table.splice(3, 0, [
      'through Kafka',
      `${n(s.kafka.produced)} produced to ${s.kafka.topic}, ${n(s.kafka.consumed)} consumed`,
    ]);
  }
  const width = Math.max(...table.map(([k]) => k.length));
  const shown = (p: string) => {
    const r = relative(cwd, p);
    return r.startsWith('..') ? p : r;
  };
  const files = s.files.map((f) =>
    `  ${shown(f.path).padEnd(40)} ${f.rows === null ? '' : `${n(f.rows)} rows`}`.trimEnd(),
  );
  const parquet = s.files.find((f) => f.path.endsWith('windows.parquet'));
  const svg = s.files.find((f) => f.path.endsWith('.svg'));
  return [
    'twinstream demo: the Line_A factory line, simulated and streamed',
    ...table.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    'files:',
    ...files,
    'open the results:',
    ...(svg === undefined ? [] : [`  the chart: open ${shown(svg.path)} in a browser`]),
    ...(parquet === undefined
      ? []
      : [
          `  the windows: duckdb -c "SELECT * FROM '${shown(parquet.path)}' LIMIT 10"`,
          `  or in Node: import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';`,
          `              await parquetReadObjects({ file: await asyncBufferFromFile('${shown(parquet.path)}') })`,
        ]),
  ];
}
