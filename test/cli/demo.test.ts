// `twinstream demo` as a user runs it: a child process on the pinned Node, a short run, its files read back.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');
const dir = mkdtempSync(join(tmpdir(), 'twinstream-demo-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  return spawnSync(process.execPath, [MAIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
}

const read = async (file: string) => parquetReadObjects({ file: await asyncBufferFromFile(file) });
const figure = (out: string, label: string) =>
  Number(new RegExp(`${label}\\s+([\\d,]+)`).exec(out)?.[1]?.replaceAll(',', ''));

test('demo --until 1h simulates, aggregates and writes Parquet files and a chart that read back', async () => {
  const r = cli('demo', '--until', '1h');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'no progress bar when stderr is not a terminal');
  const out = join(dir, 'twinstream-out');
  assert.deepEqual(readdirSync(out).sort(), [
    'events.parquet',
    'store',
    'telemetry.parquet',
    'windows.parquet',
    'windows.svg',
  ]);
  assert.match(r.stdout, /^twinstream demo: the Line_A factory line/);
  assert.match(r.stdout, /simulated time\s+0\.04 days/);

  // Lifecycle events: every arrival queued, about 2 a second, flattened into columns.
  const events = await read(join(out, 'events.parquet'));
  const statuses = new Map<string, number>();
  for (const e of events) statuses.set(String(e.status), (statuses.get(String(e.status)) ?? 0) + 1);
  const queued = statuses.get('queued') ?? 0;
  assert.ok(queued > 6500 && queued < 7900, `about 2 arrivals a second for an hour, got ${queued}`);
  assert.ok((statuses.get('finished') ?? 0) <= (statuses.get('started') ?? 0));
  assert.ok((statuses.get('started') ?? 0) <= queued);
  assert.match(r.stdout, new RegExp(`events\\.parquet\\s+${events.length.toLocaleString('en-US')} rows`));

  // Raw telemetry every 5 s for four sensors; the windows: 60 per sensor, 12 samples each, min <= mean <= max.
  const telemetry = await read(join(out, 'telemetry.parquet'));
  const sensors = ['lathe.capacity', 'lathe.in_use', 'lathe.queue_length', 'lathe.utilization'];
  assert.deepEqual([...new Set(telemetry.map((t) => String(t.path_id).slice('Line_A.'.length)))].sort(), sensors);
  const windows = await read(join(out, 'windows.parquet'));
  assert.equal(windows.length, 4 * 60);
  assert.equal(figure(r.stdout, 'rows written'), events.length + telemetry.length + windows.length);
  for (const s of sensors) {
    const mine = windows.filter((w) => w.sensor === s);
    assert.equal(mine.length, 60, s);
    assert.equal(
      mine.reduce((n, w) => n + Number(w.count), 0),
      telemetry.filter((t) => t.path_id === `Line_A.${s}`).length,
    );
  }
  for (const w of windows) {
    assert.equal(Number(w.count), 12);
    assert.ok(w.min <= w.mean + 1e-9 && w.mean <= w.max + 1e-9, JSON.stringify(w));
    assert.equal((w.window_end as Date).getTime() - (w.window_start as Date).getTime(), 60_000);
  }
  const first = windows.reduce((a, w) => Math.min(a, (w.window_start as Date).getTime()), Number.POSITIVE_INFINITY);
  assert.equal(first, Date.parse('2024-01-01T00:00:00Z'));
  // The capacity never changes in this model: its windows are constant at 4.
  for (const w of windows.filter((x) => x.sensor === 'lathe.capacity')) assert.deepEqual([w.min, w.max], [4, 4]);

  // The chart: an SVG with a panel per sensor, drawn from the windows.
  const svg = readFileSync(join(out, 'windows.svg'), 'utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\s*$/);
  for (const s of sensors) assert.ok(svg.includes(`>${s}<`), `the chart has a panel titled ${s}`);
  assert.ok((svg.match(/<path/g) ?? []).length >= 8, 'a line and a band per sensor');

  // The decimated streams: one row per 4 raw samples, per sensor; the live view was read once a minute.
  assert.equal(figure(r.stdout, 'decimated rows'), 4 * Math.floor(720 / 4));
  assert.equal(figure(r.stdout, 'live view reads'), 60);
  assert.match(r.stdout, /open the results:\n {2}the chart: open twinstream-out\/windows\.svg/);
});

test('demo writes atomically: a second run replaces the files and leaves no temporary folder', () => {
  const out = join(dir, 'again');
  for (let i = 0; i < 2; i++) assert.equal(cli('demo', '--until', '60', '--out', out).status, 0);
  assert.deepEqual(readdirSync(out).sort(), [
    'events.parquet',
    'store',
    'telemetry.parquet',
    'windows.parquet',
    'windows.svg',
  ]);
});

test('an --out that cannot be a folder fails with exit code 1 and a message naming it, no stack trace', () => {
  // A path under a regular file: refused for every user, root included (a read-only folder is not, for root).
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a folder');
  const r = cli('demo', '--until', '60', '--out', join(file, 'out'));
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /^twinstream: cannot write to the output folder .*a-file\/out \(ENOTDIR\): give --out a folder/,
  );
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('on a terminal, a progress bar shows the simulated day, events/s and rows written', () => {
  // util-linux's script gives the demo a pseudo-terminal, as a user's shell does.
  const command = `${process.execPath} ${MAIN} demo --until 2h --out ${join(dir, 'tty')}`;
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const bar = /simulating \S+ (\d+)% \| day ([\d.]+) of 0\.08 \| ([\d,]+) events\/s \| ([\d,]+) rows written/g;
  const updates = [...r.stdout.matchAll(bar)];
  assert.ok(updates.length >= 2, r.stdout);
  assert.equal(updates.at(-1)![1], '100');
  assert.match(r.stdout, /twinstream demo: the Line_A factory line/);
});
