// `await source.done` waits for scatter/gather's jobs and for a file sink to be written and closed.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import { Stream } from '../../src/index.ts';
import { workerTask } from '../../src/node/index.ts';
import type * as stages from './fixtures/stages.ts';

const STAGES = new URL('./fixtures/stages.ts', import.meta.url);
const later = workerTask<typeof stages.later>(STAGES, 'later');

describe('done: node edges', () => {
  test("the README's scatter example finds every result when done settles", async () => {
    const alerts: number[] = [];
    const alert = async (x: number) => {
      await turn();
      alerts.push(x);
    };
    const readings = Stream.fromIterable([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    readings
      .scatter({ workers: 4 })
      .map(later)
      .filter((s) => s > 0)
      .gather()
      .sink(alert);
    readings.start();
    await readings.done;
    assert.deepEqual(alerts, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('sinkToTextfile: the file is complete and closed', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'twinstream-done-')), 'out.jsonl');
    const source = Stream.fromIterable(Array.from({ length: 2000 }, (_, i) => ({ i })));
    const sink = source.buffer(100).sinkToTextfile(path);
    source.start();
    await source.done;
    assert.equal(sink.closed, true);
    assert.equal(readFileSync(path, 'utf8').split('\n').length, 2001);
  });
});
