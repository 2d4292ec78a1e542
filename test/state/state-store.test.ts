import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TwinstreamError } from '../../src/index.ts';
import { LmdbStateStore, MemoryStateStore, type StateStore } from '../../src/state/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'twinstream-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const stores: [string, () => Promise<StateStore>][] = [
  ['MemoryStateStore', async () => new MemoryStateStore()],
  ['LmdbStateStore', () => LmdbStateStore.open({ path: join(dir, String(Math.random())) })],
];

for (const [name, make] of stores) {
  describe(name, () => {
    it('gets, sets, deletes and tells what it has, per namespace and partition', async () => {
      const s = await make();
      s.set('w', 0, 'a', { sum: 1 });
      s.set('w', 1, 'a', { sum: 2 });
      s.set('v', 0, 'a', 3);
      assert.deepEqual(s.get('w', 0, 'a'), { sum: 1 });
      assert.deepEqual(s.get('w', 1, 'a'), { sum: 2 });
      assert.equal(s.get('v', 0, 'a'), 3);
      assert.equal(s.has('w', 0, 'b'), false);
      assert.deepEqual([...s.partitions('w')], [0, 1]);
      s.delete('w', 0, 'a');
      assert.equal(s.has('w', 0, 'a'), false);
      assert.equal(s.get('w', 0, 'a'), undefined);
      await s.close();
    });

    it('values are copies: mutating one changes nothing stored', async () => {
      const s = await make();
      const v = { n: 1 };
      s.set('w', 0, 'k', v);
      v.n = 2;
      (s.get('w', 0, 'k') as any).n = 3;
      assert.deepEqual(s.get('w', 0, 'k'), { n: 1 });
      await s.close();
    });

    it('commits a transaction atomically, and a failed one not at all', async () => {
      const s = await make();
      assert.throws(() =>
        s.transaction((tx) => {
          tx.set('w', 0, 'a', 1);
          assert.equal(tx.get('w', 0, 'a'), 1); // reads see the transaction's own writes
          throw new Error('crash before commit');
        }),
      );
      assert.equal(s.has('w', 0, 'a'), false);
      const tx = s.begin();
      tx.set('w', 0, 'a', 1);
      tx.set('offsets', 0, 'topic', 41);
      assert.equal(s.has('w', 0, 'a'), false);
      tx.commit();
      assert.equal(s.get('w', 0, 'a'), 1);
      assert.equal(s.get('offsets', 0, 'topic'), 41);
      assert.throws(
        () => tx.set('w', 0, 'b', 2),
        (e: unknown) => e instanceof TwinstreamError && e.code === 'TS_TX_CLOSED',
      );
      await s.close();
    });

    it('expires entries by event time', async () => {
      const s = await make();
      s.set('w', 0, 'old', 1, { expiresAt: 100 });
      s.set('w', 0, 'new', 2, { expiresAt: 200 });
      s.set('w', 0, 'forever', 3);
      assert.equal(s.expire('w', 0, 150), 1);
      assert.deepEqual(
        [...s.entries('w', 0)].map(([k]) => k),
        ['forever', 'new'],
      );
      await s.close();
    });

    it('names a bad address', async () => {
      const s = await make();
      assert.throws(() => s.set('', 0, 'k', 1), /namespace/);
      assert.throws(() => s.set('w', -1, 'k', 1), /partition/);
      await s.close();
    });
  });
}
