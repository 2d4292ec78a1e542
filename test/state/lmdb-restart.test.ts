import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Stream } from '../../src/index.ts';
import { LmdbStateStore } from '../../src/state/index.ts';
import { inputs, pipeline } from './fixtures/window-pipeline.ts';

const worker = fileURLToPath(new URL('./fixtures/window-worker.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'twinstream-lmdb-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(crashAfter: number): number | null {
  const r = spawnSync(process.execPath, [worker, dir, String(crashAfter)], { encoding: 'utf8' });
  if (r.status !== 0 && r.signal !== 'SIGKILL') throw new Error(`worker failed: ${r.stderr}`);
  return r.status;
}

describe('windows on the lmdb store, across processes', () => {
  it('a pipeline killed mid-run and restarted continues its open windows: no loss, no double counting', async () => {
    // Reference: one uninterrupted run in this process.
    const source = new Stream<any>();
    const expected = pipeline(source, {}).sinkToList();
    for (const x of inputs()) source.emit(x);

    assert.equal(run(437), null); // killed after element 437; last checkpoint at 399
    assert.equal(run(780), null); // resumed at 400, killed again after 780
    assert.equal(run(-1), 0); // resumed at 750, runs to the end
    const store = await LmdbStateStore.open({ path: dir });
    try {
      assert.equal(store.get('offsets', 0, 'input'), 999);
      const produced = store.get('outputs', 0, 'list') as unknown[];
      assert.ok(produced.length > 150);
      assert.deepEqual(produced, expected);
    } finally {
      await store.close();
    }
  });
});
