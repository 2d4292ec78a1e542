// Drain: after `until`, no new entities; the run goes on until the last one leaves, or for at most a limit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ModelSpec, runModel } from '../../../src/sim/model/index.ts';

// A part every second (the first at t = 1), 3 s each on one press: the queue grows.
const press = (drain?: boolean | number | string): ModelSpec => ({
  simId: 'Cell',
  arrival: { parts: { dist: 'constant', value: 1 } },
  service: { press: { dist: 'constant', value: 3 } },
  resources: { press: { currentCap: 1, maxCap: 1 } },
  flows: [{ name: 'parts', arrival: 'parts', steps: [{ resource: 'press', service: 'press' }] }],
  run: { until: 10, ...(drain === undefined ? {} : { drain }) },
});

test('a drain lets the nine parts in the system finish: the last at 1 + 9 × 3 = 28', async () => {
  const plain = await runModel(press());
  // Without: parts 1 and 2 finish at 4 and 7; the one finishing at 10 is left for a run that goes on.
  assert.deepEqual([plain.simulatedTime, plain.arrived.parts, plain.completed.parts], [10, 9, 2]);
  const drained = await runModel(press(true));
  assert.deepEqual([drained.simulatedTime, drained.arrived.parts, drained.completed.parts], [28, 9, 9]);
  // At most 5 s more: parts finish at 4, 7, 10 and 13; the one due at 16 is still on the press at 15.
  const limited = await runModel(press('5s'));
  assert.deepEqual([limited.simulatedTime, limited.completed.parts], [15, 4]);
});

test('sim run --drain takes an optional limit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'twinstream-drain-'));
  try {
    const file = join(dir, 'press.json');
    writeFileSync(file, JSON.stringify(press()));
    const main = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [main, 'sim', 'run', file, '--out', dir, ...args], { encoding: 'utf8' });
    assert.match(run('--drain').stdout, /^model Cell: simulated 28 time units/);
    assert.match(run('--drain', '5s').stdout, /^model Cell: simulated 15 time units/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
