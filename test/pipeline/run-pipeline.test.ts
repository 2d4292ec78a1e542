// runPipeline in-process on small files: a join of two inputs, late elements to the dead-letter step, what the
// summary counts, and stopping by signal.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runPipeline } from '../../src/pipeline/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'twinstream-run-pipeline-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const jsonl = (name: string, rows: object[]) =>
  writeFileSync(join(dir, name), rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
const read = (name: string) =>
  readFileSync(join(dir, name), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

test('an as-of join: each reading with the latest setpoint of its room at or before it', async () => {
  jsonl('readings.jsonl', [
    { room: 'a', timestamp: 1000, temp: 20 },
    { room: 'b', timestamp: 1500, temp: 25 },
    { room: 'a', timestamp: 3000, temp: 21 },
    { room: 'a', timestamp: 5000, temp: 22 },
  ]);
  jsonl('setpoints.jsonl', [
    { room: 'a', timestamp: 0, setpoint: 19 },
    { room: 'b', timestamp: 0, setpoint: 24 },
    { room: 'a', timestamp: 2500, setpoint: 23 },
  ]);
  writeFileSync(
    join(dir, 'join.yaml'),
    `inputs:
  - { name: readings, type: jsonl, path: readings.jsonl }
  - { name: setpoints, type: jsonl, path: setpoints.jsonl }
steps:
  - join: { with: setpoints, key: room, how: left, grace: 10s }
  - select: [room, timestamp, temp, setpoint]
outputs:
  - { type: jsonl, path: joined.jsonl }
`,
  );
  const summary = await runPipeline(join(dir, 'join.yaml'), { outDir: dir });
  const rows = read('joined.jsonl').sort((x, y) => x.timestamp - y.timestamp);
  assert.deepEqual(
    rows.map((r) => [r.room, r.timestamp, r.setpoint]),
    [
      ['a', 1000, 19],
      ['b', 1500, 24],
      ['a', 3000, 23],
      ['a', 5000, 23],
    ],
  );
  assert.deepEqual(
    summary.inputs.map((i) => [i.name, i.records]),
    [
      ['readings', 4],
      ['setpoints', 3],
    ],
  );
  assert.equal(summary.emitted, 4);
});

test('an element later than the grace goes to the dead-letter step with reason late; the windows are right', async () => {
  jsonl('late.jsonl', [
    { sensor: 's', timestamp: 0, v: 1 },
    { sensor: 's', timestamp: 30_000, v: 3 },
    { sensor: 's', timestamp: 70_000, v: 5 },
    { sensor: 's', timestamp: 20_000, v: 100 },
    { sensor: 's', timestamp: 125_000, v: 7 },
  ]);
  writeFileSync(
    join(dir, 'late.yaml'),
    `inputs:
  - { type: jsonl, path: late.jsonl }
steps:
  - window: { size: 1m, grace: 5s, key: sensor, value: v, aggregate: { n: count, total: sum } }
  - deadLetter: { type: jsonl, path: late-letters.jsonl }
outputs:
  - { type: jsonl, path: minutes.jsonl }
`,
  );
  const summary = await runPipeline(join(dir, 'late.yaml'), { outDir: dir });
  assert.deepEqual(
    read('minutes.jsonl').map((w) => [w.start, w.n, w.total]),
    [
      [0, 2, 4],
      [60_000, 1, 5],
      [120_000, 1, 7],
    ],
  );
  const letters = read('late-letters.jsonl');
  assert.equal(letters.length, 1);
  assert.equal(letters[0].reason, 'late');
  assert.equal(letters[0].step, 'steps[0]');
  assert.deepEqual(letters[0].value, { sensor: 's', timestamp: 20_000, v: 100 });
  assert.equal(summary.deadLettered, 1);
});

test('an aborted signal before the start runs nothing; --for stops a server input and the run ends', async () => {
  writeFileSync(
    join(dir, 'server.yaml'),
    `inputs:
  - { type: tcp, port: 0 }
outputs:
  - { type: jsonl, path: tcp.jsonl }
`,
  );
  const controller = new AbortController();
  controller.abort();
  const none = await runPipeline(join(dir, 'server.yaml'), { outDir: dir, signal: controller.signal });
  assert.equal(none.emitted, 0);
  const t0 = performance.now();
  const timed = await runPipeline(join(dir, 'server.yaml'), { outDir: dir, for: '300ms' });
  assert.ok(performance.now() - t0 >= 290);
  assert.deepEqual(timed.inputs, [{ name: 'tcp0', type: 'tcp', records: 0 }]);
});

test('hopping and session windows, and current emission, as the file says', async () => {
  jsonl('clicks.jsonl', [
    { user: 'u', timestamp: 0 },
    { user: 'u', timestamp: 10_000 },
    { user: 'u', timestamp: 100_000 },
    { user: 'v', timestamp: 5_000 },
  ]);
  const run = async (window: string) => {
    writeFileSync(
      join(dir, 'w.yaml'),
      `inputs:\n  - { type: jsonl, path: clicks.jsonl }\nsteps:\n  - window: ${window}\noutputs:\n  - { type: jsonl, path: w.jsonl }\n`,
    );
    await runPipeline(join(dir, 'w.yaml'), { outDir: dir });
    return read('w.jsonl').map((w) => [w.key, w.start, w.end, w.n]);
  };
  assert.deepEqual(await run('{ kind: session, gap: 30s, key: user, aggregate: { n: count } }'), [
    ['u', 0, 40_000, 2],
    ['v', 5_000, 35_000, 1],
    ['u', 100_000, 130_000, 1],
  ]);
  const hopping = await run('{ kind: hopping, size: 20s, step: 10s, key: user, aggregate: { n: count } }');
  assert.deepEqual(
    hopping.filter((w) => w[0] === 'u' && (w[2] as number) <= 30_000),
    [
      ['u', 0, 20_000, 2],
      ['u', 10_000, 30_000, 1],
    ],
  );
  // One group: after 100 s the first minute has closed, so the click at 5 s is late and changes nothing.
  const current = await run('{ size: 1m, emit: current, aggregate: { n: count } }');
  assert.deepEqual(current, [
    [null, 0, 60_000, 1],
    [null, 0, 60_000, 2],
    [null, 60_000, 120_000, 1],
  ]);
});
