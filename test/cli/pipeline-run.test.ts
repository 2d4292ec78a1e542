// `twinstream run` on the example pipelines of examples/pipelines/ whose inputs are files or a simulation: a child
// process on the pinned Node, as a user runs it, its outputs read back and checked against the input data.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');
const EXAMPLES = join(ROOT, 'examples/pipelines');
const dir = mkdtempSync(join(tmpdir(), 'twinstream-pipeline-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(example: string, out: string, ...args: string[]) {
  return spawnSync(process.execPath, [MAIN, 'run', join(EXAMPLES, example), '--out', out, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
}

const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

// The CSV example's input, read here without twinstream.
function readings() {
  const [, ...lines] = readFileSync(join(EXAMPLES, 'data/readings.csv'), 'utf8').trim().split('\n');
  return lines.map((l) => {
    const [timestamp, sensor, fahrenheit] = l.split(',');
    return { t: Date.parse(timestamp!), sensor: sensor!, fahrenheit: Number(fahrenheit) };
  });
}

test('csv-windows: failed readings dropped, Celsius, per-sensor minutes on stdout and in a JSON Lines file', () => {
  const out = join(dir, 'csv');
  const r = run('csv-windows.yaml', out);
  assert.equal(r.status, 0, r.stderr);
  const printed = jsonLines(r.stdout);
  assert.deepEqual(jsonLines(readFileSync(join(out, 'room-minutes.jsonl'), 'utf8')), printed);
  // The same figures computed from the CSV by hand.
  const expected = new Map<string, number[]>();
  for (const x of readings()) {
    if (x.fahrenheit <= -100) continue;
    const k = `${x.sensor} ${Math.floor(x.t / 60_000) * 60_000}`;
    expected.set(k, [...(expected.get(k) ?? []), Math.round((((x.fahrenheit - 32) * 5) / 9) * 100) / 100]);
  }
  assert.equal(printed.length, expected.size);
  for (const w of printed) {
    const values = expected.get(`${w.key} ${w.start}`)!;
    assert.equal(w.end - w.start, 60_000);
    assert.equal(w.readings, values.length);
    assert.ok(Math.abs(w.mean - values.reduce((a, b) => a + b, 0) / values.length) < 1e-9);
    assert.equal(w.max, Math.max(...values));
  }
  // The log on stderr is JSON lines (stderr is a pipe here), the last one the summary.
  const log = jsonLines(r.stderr).at(-1);
  assert.equal(log.level, 30);
  assert.equal(log.pipeline, 'room-temperatures');
  assert.deepEqual(log.inputs, [{ name: 'readings', type: 'csv', records: 240 }]);
  assert.equal(log.emitted, printed.length);
});

test('jsonl-dead-letter: the malformed reading goes to the dead-letter file with its reason, the rest to Parquet', async () => {
  const out = join(dir, 'jsonl');
  const r = run('jsonl-dead-letter.yaml', out);
  assert.equal(r.status, 0, r.stderr);
  const input = jsonLines(readFileSync(join(EXAMPLES, 'data/readings.jsonl'), 'utf8'));
  const bad = input.filter((x) => typeof x.fahrenheit !== 'number');
  const rejected = jsonLines(readFileSync(join(out, 'rejected.jsonl'), 'utf8'));
  assert.equal(rejected.length, bad.length);
  assert.deepEqual(rejected[0].value, bad[0]);
  assert.equal(rejected[0].step, 'steps[0] map');
  assert.match(rejected[0].message, /fahrenheit is "n\/a", not a number/);
  const rows = await parquetReadObjects({ file: await asyncBufferFromFile(join(out, 'readings.parquet')) });
  const good = input.filter((x) => typeof x.fahrenheit === 'number');
  assert.equal(rows.length, good.length);
  // Renamed ts -> timestamp (a Parquet timestamp), battery dropped by select.
  assert.deepEqual(Object.keys(rows[0]!).sort(), ['fahrenheit', 'sensor', 'timestamp']);
  assert.equal(new Date(rows[0]!.timestamp as Date).getTime(), good[0].ts);
  assert.equal(rows[5]!.fahrenheit, good[5].fahrenheit);
});

test('parquet-resample: each sensor on a 30-second grid, linearly interpolated between its readings', () => {
  const out = join(dir, 'parquet');
  const r = run('parquet-resample.yaml', out);
  assert.equal(r.status, 0, r.stderr);
  const rows = jsonLines(readFileSync(join(out, 'readings-30s.jsonl'), 'utf8'));
  const source = readings().filter((x) => x.fahrenheit > -100);
  for (const sensor of ['room-1', 'room-2']) {
    const grid = rows.filter((x) => x.sensor === sensor);
    const points = source.filter((x) => x.sensor === sensor);
    assert.ok(grid.length > 30);
    for (const g of grid) {
      assert.equal(g.timestamp % 30_000, 0);
      const i = points.findIndex((p) => p.t > g.timestamp);
      const [a, b] = i === -1 ? [points.at(-1)!, points.at(-1)!] : [points[i - 1]!, points[i]!];
      const expected =
        a.t === b.t ? a.fahrenheit : a.fahrenheit + ((b.fahrenheit - a.fahrenheit) * (g.timestamp - a.t)) / (b.t - a.t);
      assert.ok(Math.abs(g.fahrenheit - expected) < 1e-9, `${sensor} at ${g.timestamp}`);
    }
  }
  // The console output in text form: key=value pairs.
  assert.match(r.stdout.split('\n')[0]!, /^sensor=room-\d timestamp=\d+ fahrenheit=[\d.]+$/);
});

test('sim-telemetry: two simulated hours of Line_A telemetry in 10-minute windows, to Parquet', async () => {
  const out = join(dir, 'sim');
  const r = run('sim-telemetry.yaml', out);
  assert.equal(r.status, 0, r.stderr);
  const rows = await parquetReadObjects({ file: await asyncBufferFromFile(join(out, 'lathe-10m.parquet')) });
  // 4 lathe sensors sampled every 60 s for 7200 s: 12 windows of 10 samples each (the last sample at 7200 s
  // opens a 13th window of one).
  const sensors = [...new Set(rows.map((x) => x.key))].sort();
  assert.deepEqual(sensors, ['capacity', 'in_use', 'queue_length', 'utilization']);
  const samples = rows.reduce((n, x) => n + Number(x.samples), 0);
  assert.equal(samples, jsonLines(r.stderr).at(-1).inputs[0].records);
  for (const x of rows.filter((x) => x.key === 'capacity')) assert.equal(x.mean, 4);
  assert.deepEqual(jsonLines(r.stdout).length, rows.length);
});

test('tail-json: lines appended to a followed file come out as they arrive; SIGTERM finishes the files', async () => {
  const out = join(dir, 'tail');
  const log = join(dir, 'readings.log');
  writeFileSync(log, `${JSON.stringify({ sensor: 'room-1', fahrenheit: 70 })}\n`);
  const child = spawn(process.execPath, [MAIN, 'run', join(EXAMPLES, 'tail-json.yaml'), '--out', out], {
    env: { ...process.env, READINGS_LOG: log },
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const lines = async (n: number) => {
    for (let i = 0; i < 300 && stdout.trim().split('\n').filter(Boolean).length < n; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return stdout.trim().split('\n').filter(Boolean);
  };
  assert.equal((await lines(1)).length, 1, stderr);
  appendFileSync(log, `${JSON.stringify({ sensor: 'room-2', fahrenheit: 212 })}\nnot json\n`);
  appendFileSync(log, `${JSON.stringify({ sensor: 'room-2', fahrenheit: -999 })}\n`);
  appendFileSync(log, `${JSON.stringify({ sensor: 'room-1', fahrenheit: 32 })}\n`);
  const printed = (await lines(3)).map((l) => JSON.parse(l));
  assert.deepEqual(
    printed.map((x) => [x.sensor, x.celsius]),
    [
      ['room-1', 21.11],
      ['room-2', 100],
      ['room-1', 0],
    ],
  );
  child.kill('SIGTERM');
  const code = await new Promise((r) => child.on('close', r));
  assert.equal(code, 0, stderr);
  assert.deepEqual(jsonLines(readFileSync(join(out, 'followed.jsonl'), 'utf8')), printed);
  const dead = jsonLines(readFileSync(join(out, 'not-json.jsonl'), 'utf8'));
  assert.equal(dead.length, 1);
  assert.equal(dead[0].reason, 'TS_BAD_RECORD');
  assert.match(dead[0].message, /a line is not JSON/);
  assert.ok(existsSync(log));
});

test('--log-level warn leaves stderr empty on a run that goes well; the records still go to stdout', () => {
  const r = spawnSync(
    process.execPath,
    [MAIN, '--log-level', 'warn', 'run', join(EXAMPLES, 'csv-windows.yaml'), '--out', join(dir, 'quiet')],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout.trim().split('\n').length, 40);
});
