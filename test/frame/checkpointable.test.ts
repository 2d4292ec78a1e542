// Frame windows and running frame aggregates keep their state per input partition and survive a checkpoint: a
// run resumed from one, a partition restored into a fresh node, and a dropped partition give what an
// uninterrupted run gives (see test/support/checkpoint-contract.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Checkpointable, isCheckpointable } from '../../src/core/checkpointable.ts';
import { collect, count, max, mean, Stream, StreamingFrame, sum } from '../../src/index.ts';
import { MemoryStateStore } from '../../src/state/index.ts';
import { checkPipeline, items } from '../support/checkpoint-contract.ts';
import { checkFramePipeline } from './checkpoint-harness.ts';

describe('frame windows are checkpointable', () => {
  it('tumbling, keyed, one value column (the hot loop), final and current', () => {
    checkFramePipeline((sf) => sf.tumblingWindow(100, { key: 'sensor', value: 'v' }).sum().final());
    checkFramePipeline((sf) => sf.tumblingWindow(100, { key: 'sensor', value: 'v' }).mean().current());
  });

  it('tumbling, keyed, several columns and moments, with grace', () => {
    checkFramePipeline((sf) =>
      sf
        .tumblingWindow(100, { key: 'sensor', grace: 20 })
        .agg({ n: count(), s: sum('v'), hi: max('w'), m: mean('w') })
        .final(),
    );
  });

  it('tumbling without a key (runs), and partition closing', () => {
    checkFramePipeline((sf) => sf.tumblingWindow(100, { value: 'v' }).agg({ n: count(), s: sum() }).final());
    checkFramePipeline((sf) =>
      sf.tumblingWindow(100, { key: 'sensor', value: 'w', closingStrategy: 'partition' }).max().final(),
    );
  });

  it('hopping windows', () => {
    checkFramePipeline((sf) => sf.hoppingWindow(100, 50, { key: 'sensor', value: 'v' }).agg({ n: count() }).final());
  });

  it('the row engine: sliding, session and count windows, generic aggregators', () => {
    checkFramePipeline((sf) => sf.slidingTimeWindow(60, { key: 'sensor', value: 'v' }).sum().final(), {
      incremental: false,
      endOrder: false,
    });
    checkFramePipeline((sf) => sf.sessionWindow(25, { key: 'sensor', value: 'w' }).agg({ n: count() }).final(), {
      incremental: false,
      endOrder: false,
    });
    checkFramePipeline((sf) => sf.tumblingCountWindow(7, { key: 'sensor', value: 'w' }).sum().final(), {
      incremental: false,
      endOrder: false,
    });
    checkFramePipeline((sf) => sf.tumblingWindow(100, { key: 'sensor', value: 'w' }).aggregate(collect()).final(), {
      incremental: false,
      endOrder: false,
    });
  });

  it('windows say so in their namespace, which an option changes', () => {
    const sf = new StreamingFrame(new Stream());
    const w = sf.tumblingWindow(100, { value: 'v', namespace: 'by-100' }).sum().final();
    assert.ok(isCheckpointable(w));
    assert.equal(w.namespace, 'by-100');
    assert.throws(() => sf.tumblingWindow(100, { namespace: '' }).count().final(), { code: 'TS_BAD_ARGUMENT' });
  });
});

describe('running frame aggregates are checkpointable', () => {
  it('cumulative sums, products, minima and maxima, on frames and series', () => {
    checkFramePipeline((sf) => sf.cumsum());
    checkFramePipeline((sf) => sf.cummin());
    checkFramePipeline((sf) => sf.col('w').cummax());
    checkFramePipeline((sf) => sf.col('v').cumprod());
  });

  it('ewm', () => {
    checkFramePipeline((sf) => sf.ewm({ alpha: 0.3 }).mean());
    checkFramePipeline((sf) => sf.col('v').ewm({ span: 4, adjust: false }).mean());
  });

  it('rolling over rows and over a duration, and with its state', () => {
    for (const r of ['sum', 'mean', 'min', 'max', 'std'] as const) checkFramePipeline((sf) => sf.rolling(7).run(r));
    checkFramePipeline((sf) => sf.rolling(60).max());
    checkFramePipeline((sf) => sf.rolling(60).var());
    checkFramePipeline((sf) => sf.col('w').rolling(5, { minPeriods: 2 }).withState('mean'));
    checkFramePipeline((sf) => sf.col('w').rolling(45).withState('sum'));
  });

  it('running reductions of frames and series, and custom aggregations', () => {
    checkFramePipeline((sf) => sf.mean());
    checkFramePipeline((sf) => sf.std());
    checkFramePipeline((sf) => sf.size());
    checkFramePipeline((sf) => sf.col('v').sum({ start: 10 }));
    checkFramePipeline((sf) => sf.col('w').max());
    checkFramePipeline((sf) => sf.col('w').size());
    checkFramePipeline((sf) =>
      sf.aggregate({
        initial: () => ({ rows: 0 }),
        onNew: (s: { rows: number }, f) => [{ rows: s.rows + f.length }, s.rows + f.length],
      }),
    );
  });

  it('windows over the last rows or time, tail, value counts', () => {
    checkFramePipeline((sf) => sf.window({ n: 30 }).col('v').mean());
    checkFramePipeline((sf) => sf.window({ value: 70 }).sum());
    checkFramePipeline((sf) => sf.window({ n: 40 }).col('w').withState('max'));
    checkFramePipeline((sf) => sf.window({ value: 100 }).groupby('sensor').col('w').sum());
    checkFramePipeline((sf) => sf.groupby('sensor').col('w').std());
    checkFramePipeline((sf) => sf.groupby('w').size());
    checkFramePipeline((sf) => sf.groupby('sensor').agg({ n: count(), hi: max('w'), all: collect('w') }));
    checkFramePipeline((sf) =>
      sf.window({ n: 20 }).aggregate({
        initial: () => 0,
        onNew: (s: number, f) => [s + f.length, s + f.length],
        onOld: (s: number, f) => [s - f.length, s - f.length],
      }),
    );
    checkFramePipeline((sf) => sf.tail(6));
    checkFramePipeline((sf) => sf.col('sensor').valueCounts());
    checkFramePipeline((sf) => sf.col('w').valueCounts());
  });

  it('take a namespace; two of one kind in an application need one each', () => {
    const sf = new StreamingFrame(new Stream());
    assert.equal((sf.cumsum().stream as any).namespace, 'cumsum');
    assert.equal((sf.cumsum({ namespace: 'totals' }).stream as any).namespace, 'totals');
    assert.equal((sf.rolling(3, { namespace: 'r3' }).mean().stream as any).namespace, 'r3');
    assert.equal((sf.tail(3, { namespace: 'last' }).stream as any).namespace, 'last');
    assert.equal((sf.col('v').sum({ namespace: 'total' }) as any).namespace, 'total');
    assert.throws(() => sf.ewm({ alpha: 0.5, namespace: '' }).mean(), { code: 'TS_BAD_ARGUMENT' });
  });
});

describe('toFrames by size is checkpointable', () => {
  it('each partition fills its own frames; the rows waiting go into the checkpoint, row by row', () => {
    const rows = items(90, (i) => ({ ts: i * 10, sensor: ['a', 'b'][i % 2], v: (i * 13) % 7 }));
    checkPipeline((s) => s.toFrames({ size: 8, time: 'ts' }), rows);
    checkPipeline((s) => s.toFrames({ size: 5, time: 'ts', key: 'sensor' }).cumsum(), rows);
    checkPipeline((s) => s.toFrames({ size: 6, time: 'ts' }).tumblingWindow(60, { value: 'v' }).sum().final(), rows);
  });

  it('a checkpoint deletes the entries of rows emitted since', () => {
    const store = new MemoryStateStore();
    const s = new Stream<{ v: number }>();
    const sf = s.toFrames({ size: 3 });
    const node = sf.stream as unknown as Checkpointable;
    s.emit({ v: 1 }, [{ partition: 0 }]);
    s.emit({ v: 2 }, [{ partition: 0 }]);
    store.transaction((tx) => node.checkpoint(tx));
    assert.deepEqual(
      [...store.entries('toFrames', 0)].map(([k]) => k),
      ['r0', 'r1'],
    );
    s.emit({ v: 3 }, [{ partition: 0 }]); // a frame: the buffer empties
    s.emit({ v: 4 }, [{ partition: 0 }]);
    store.transaction((tx) => node.checkpoint(tx));
    assert.deepEqual([...store.entries('toFrames', 0)], [['r0', { x: { v: 4 }, from: { partition: 0, key: null } }]]);
  });
});
