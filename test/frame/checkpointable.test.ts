// Frame windows and running frame aggregates keep their state per input partition and survive a checkpoint: a
// run resumed from one, a partition restored into a fresh node, and a dropped partition give what an
// uninterrupted run gives (see checkpoint-harness.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCheckpointable } from '../../src/core/checkpointable.ts';
import { collect, count, max, mean, Stream, StreamingFrame, sum } from '../../src/index.ts';
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
