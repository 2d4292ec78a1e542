// `twinstream sim run` as a user runs it: a child process on the pinned Node, checked by exit code and output.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');
const MODEL = join(ROOT, 'examples/models/line-a.yaml');
const dir = mkdtempSync(join(tmpdir(), 'twinstream-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  return spawnSync(process.execPath, [MAIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
}

test('sim run runs a model for --until, writes its egress under --out and prints a summary', async () => {
  const r = cli('sim', 'run', MODEL, '--until', '3600', '--out', join(dir, 'out'));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /^model Line_A: simulated 3600 time units in [\d.]+ s wall$/);
  assert.match(lines[1]!, /^events processed: \d+ /);
  const m = /^entities: milling (\d+) arrived, (\d+) completed$/.exec(lines[2]!);
  assert.ok(m, lines[2]);
  const arrived = Number(m[1]);
  assert.ok(arrived > 6500 && arrived < 7900, `about 2 arrivals a second for an hour, got ${arrived}`);
  const s = /^lifecycle events: queued (\d+), started (\d+), finished (\d+)$/.exec(lines[3]!);
  assert.ok(s, lines[3]);
  assert.equal(Number(s[1]), arrived);
  assert.equal(Number(s[3]), Number(m[2]));
  const events = Number(s[1]) + Number(s[2]) + Number(s[3]);
  assert.equal(lines[4], `records published: ${events + 4 * 60}`);
  const file = join(dir, 'out', 'events.parquet');
  const meta = await parquetMetadataAsync(await asyncBufferFromFile(file));
  assert.equal(Number(meta.num_rows), events);
});

test('--until takes a duration string as everywhere else: 1m is 60 seconds', () => {
  const seconds = cli('sim', 'run', MODEL, '--until', '60', '--out', join(dir, 's'));
  const minute = cli('sim', 'run', MODEL, '--until', '1m', '--out', join(dir, 'm'));
  assert.equal(minute.status, 0, minute.stderr);
  assert.match(minute.stdout, /^model Line_A: simulated 60 time units/);
  const counts = (out: string) =>
    out
      .split('\n')
      .slice(1, 5)
      .map((l) => l.replace(/\(.*\)/, ''));
  assert.deepEqual(counts(minute.stdout), counts(seconds.stdout));
});

test('the same seed gives the same run; --seed changes it; --factor paces it', () => {
  const a = cli('sim', 'run', MODEL, '--until', '60', '--out', join(dir, 'a'));
  const b = cli('sim', 'run', MODEL, '--until', '60', '--out', join(dir, 'b'));
  const c = cli('sim', 'run', MODEL, '--until', '60', '--seed', '7', '--out', join(dir, 'c'));
  for (const r of [a, b, c]) assert.equal(r.status, 0, r.stderr);
  const counts = (out: string) => out.split('\n').slice(2, 5).join('\n');
  assert.equal(counts(a.stdout), counts(b.stdout));
  assert.notEqual(counts(a.stdout), counts(c.stdout));
  // 2 simulated seconds at factor 0.25: about half a second of wall time.
  const paced = cli('sim', 'run', MODEL, '--until', '2', '--factor', '0.25', '--out', join(dir, 'p'));
  assert.equal(paced.status, 0, paced.stderr);
  const wall = Number(/in ([\d.]+) s wall/.exec(paced.stdout)?.[1]);
  assert.ok(wall >= 0.45 && wall < 2, `2 simulated seconds at factor 0.25 took ${wall} s of wall time`);
  const quiet = cli('sim', 'run', MODEL, '--until', '1', '--out', join(dir, 'q'), '--quiet');
  assert.equal(quiet.status, 0, quiet.stderr);
  assert.equal(quiet.stdout, '');
});

test('a bad model file fails with exit code 1 and a message naming the file, the dot path and the line', () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    'simId: Line_A\narrival: { standard: { dist: exponential, rate: 2 } }\nservice: { milling: { dist: constant, value: 2 } }\nresources:\n  lathe: { currentCap: -1, maxCap: 10 }\nflows: [{ name: m, arrival: standard, steps: [{ resource: lathe, service: milling }] }]\nrun: { until: 10 }\n',
  );
  const r = cli('sim', 'run', bad, '--out', join(dir, 'bad-out'));
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /^twinstream: .*bad\.yaml is not a valid model:\n✖ expected a number >= 0\n {2}→ at resources\.lathe\.currentCap \(line 5\)\n$/,
  );
  assert.equal(existsSync(join(dir, 'bad-out')), false);
});

test('usage errors: a missing file, a bad option value, a missing argument, an unknown command', () => {
  const missing = cli('sim', 'run', 'nope.yaml');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^twinstream: cannot read model nope\.yaml: ENOENT/);
  const until = cli('sim', 'run', MODEL, '--until', 'soon');
  assert.equal(until.status, 1);
  assert.match(
    until.stderr,
    /option '--until <time>' argument 'soon' is invalid\. expected a number of seconds > 0 or a duration such as 90s, 5m, 1h, got "soon"/,
  );
  const noModel = cli('sim', 'run');
  assert.equal(noModel.status, 1);
  assert.match(noModel.stderr, /missing required argument 'model'/);
  const unknown = cli('sim', 'walk');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /unknown command 'walk'/);
  const version = cli('--version');
  assert.equal(version.status, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('bad model files end in one line naming the problem and exit code 1, never a stack trace', () => {
  const levels = ['a: &a [x,x,x,x,x,x,x,x,x]'];
  for (let i = 1; i < 9; i++) {
    const name = String.fromCharCode(97 + i);
    levels.push(
      `${name}: &${name} [${Array(9)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(',')}]`,
    );
  }
  const bomb = join(dir, 'bomb.yaml');
  writeFileSync(bomb, `${levels.join('\n')}\n`);
  const deep = join(dir, 'deep.json');
  writeFileSync(deep, `{"simId":"A","variables":{"v":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`);
  const longPath = join(dir, 'long.yaml');
  writeFileSync(longPath, readFileSync(MODEL, 'utf8').replace('path: events.parquet', `path: ${'x'.repeat(100_000)}`));
  for (const [file, reason] of [
    [bomb, /not a usable YAML document: Excessive alias count/],
    [deep, /variables\.v(\[0\])+ nests deeper than 64 levels|nests deeper than 64 levels[^\n]*\n {2}→ at variables\.v/],
    [longPath, /expected a path of at most 1024 characters\n {2}→ at egress\.sinks\[0\]\.path \(line \d+\)/],
  ] as const) {
    const r = cli('sim', 'run', file, '--until', '10', '--out', join(dir, 'bad'));
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^twinstream: /);
    assert.match(r.stderr, reason);
    assert.doesNotMatch(r.stderr, /\n\s+at .*\.ts:\d+/);
  }
});

test('sim run --sample N prints the first N events as JSON lines with task and instance, and writes no file', () => {
  const out = join(dir, 'sample');
  const r = cli('sim', 'run', MODEL, '--sample', '6', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 6);
  assert.ok(lines.every((l) => l.stream_type === 'event' && l.task === 'milling'));
  assert.deepEqual(
    lines.filter((l) => l.value.status === 'queued').map((l) => [l.key, l.instance]),
    lines.filter((l) => l.value.status === 'queued').map((_, i) => [`task-${i}`, i]),
  );
  assert.equal(existsSync(out), false);
  assert.match(r.stderr, /^model Line_A: simulated [\d.]+ time units/); // the summary goes to stderr
  // A run that ends first says so.
  const short = cli('sim', 'run', MODEL, '--sample', '100000', '--until', '10', '--quiet');
  assert.equal(short.status, 0, short.stderr);
  const n = short.stdout.trim().split('\n').length;
  assert.equal(short.stderr.trim(), `sample ended at until with ${n} of 100000 events`);
  const refused = cli('sim', 'run', MODEL, '--sample', '5', '--replications', '3');
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /--replications = 3 is not valid; expected none with --sample or --stdout/);
});

test('sim run --stdout prints every record as a JSON line instead of the sinks', () => {
  const out = join(dir, 'stdout');
  const r = cli('sim', 'run', MODEL, '--stdout', '--until', '120', '--out', out, '--quiet');
  assert.equal(r.status, 0, r.stderr);
  const records = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const telemetry = records.filter((x) => x.stream_type === 'telemetry');
  assert.equal(telemetry.length, 4 * 2); // the lathe's four readings every 60 s, at 0 and 60
  assert.ok(records.filter((x) => x.stream_type === 'event').length > 300);
  assert.equal(existsSync(out), false);
});

test('sim schema prints the JSON Schema of model files', () => {
  const r = cli('sim', 'schema');
  assert.equal(r.status, 0, r.stderr);
  const schema = JSON.parse(r.stdout);
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.deepEqual(schema.required, ['simId', 'arrival', 'service', 'flows', 'run']);
});
