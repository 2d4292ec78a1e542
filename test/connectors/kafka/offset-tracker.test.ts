import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OffsetTracker, PendingOffset } from '../../../src/connectors/kafka/offset-tracker.ts';
import { releaseRefs, retainRefs } from '../../../src/core/refcount.ts';

test('an offset is done when the last holder of its element lets go, and commits advance over the done prefix', () => {
  const t = new OffsetTracker();
  const a = t.add(10);
  const b = t.add(11);
  assert.ok(a instanceof PendingOffset);
  const metaA = [{ ref: a }];
  const metaB = [{ ref: b }];
  retainRefs(metaA); // the source, while it emits
  retainRefs(metaA); // a window keeps the element
  releaseRefs(metaA); // the source's emit returns
  assert.equal(a.done, false);
  retainRefs(metaB);
  releaseRefs(metaB);
  assert.equal(b.done, true);
  assert.equal(t.committable(), -1, 'offset 10 is still held');
  assert.equal(t.inFlight, 2);
  releaseRefs(metaA); // the window lets go
  assert.equal(a.done, true);
  assert.equal(t.committable(), 12);
  assert.equal(t.inFlight, 0);
  assert.equal(t.committable(), -1, 'nothing new');
});

test('a failed offset stops the commits for good, and a re-read from an earlier offset starts over', () => {
  const t = new OffsetTracker();
  const a = t.add(0);
  const b = t.add(1);
  a.failed = true;
  a.retain();
  a.release();
  b.retain();
  b.release();
  assert.equal(t.committable(), -1);
  const again = t.add(0);
  assert.equal(t.inFlight, 1);
  again.retain();
  again.release();
  assert.equal(t.committable(), 1);
});
