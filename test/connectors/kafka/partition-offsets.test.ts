import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OffsetTracker, PendingOffset } from '../../../src/connectors/kafka/offset-tracker.ts';
import { MessageEntry, PartitionOffsets, PartitionPreparer } from '../../../src/connectors/kafka/partition-offsets.ts';
import { releaseRefs, retainRefs } from '../../../src/core/refcount.ts';

/** One message through a graph that keeps nothing: the source retains it while it emits, then lets go. */
function passThrough(e: PendingOffset): void {
  retainRefs([{ ref: e }]);
  releaseRefs([{ ref: e }]);
}

test('the tracker advances over thousands of offsets finished out of order, across its ring growing', () => {
  const t = new OffsetTracker();
  const entries = Array.from({ length: 5000 }, (_, i) => t.add(100 + i));
  // Every other one first: none is committable while offset 100 is in work.
  for (let i = 1; i < entries.length; i += 2) passThrough(entries[i]!);
  assert.equal(t.committable(), -1);
  assert.equal(t.inFlight, 5000);
  for (let i = 0; i < 2000; i += 2) passThrough(entries[i]!);
  // 100..2099 are done, 2100 (index 2000) is not.
  assert.equal(t.committable(), 2100);
  assert.equal(t.inFlight, 3000);
  for (let i = 2000; i < entries.length; i += 2) passThrough(entries[i]!);
  assert.equal(t.committable(), 5100);
  assert.equal(t.inFlight, 0);
  assert.equal(t.committable(), -1, 'nothing new');
});

test('the tracker wraps around its ring while messages keep arriving and finishing', () => {
  const t = new OffsetTracker();
  const held: PendingOffset[] = [];
  let committed = -1;
  // Always about 40 in work (below the ring's first capacity): the ring's head and tail go round many times.
  for (let offset = 0; offset < 10_000; offset++) {
    const e = t.add(offset);
    e.retain(); // a window keeps it
    held.push(e);
    if (held.length > 40) held.shift()!.release();
    if (offset % 97 === 0) {
      const next = t.committable();
      if (next !== -1) {
        assert.ok(next > committed, 'commits only move forward');
        committed = next;
      }
      // Nothing finished yet (-1) while offset 0 is held; then always the oldest offset still held.
      assert.equal(Math.max(committed, 0), held[0]!.offset, 'the committable offset is the oldest still held');
    }
  }
  // Then more arrive than the ring holds while its head is mid-way: it grows, keeping the order.
  for (let offset = 10_000; offset < 10_300; offset++) {
    const e = t.add(offset);
    e.retain();
    held.push(e);
  }
  while (held.length > 0) {
    held.shift()!.release();
    assert.equal(t.committable(), held.length > 0 ? held[0]!.offset : 10_300);
    assert.equal(t.inFlight, held.length);
  }
});

test('a failed offset holds the commits even when later ones finish and the ring grows', () => {
  const t = new OffsetTracker();
  const a = t.add(0);
  a.failed = true;
  passThrough(a);
  for (let i = 1; i < 3000; i++) passThrough(t.add(i));
  assert.equal(t.committable(), -1);
  assert.equal(t.inFlight, 3000);
});

test('a message entry is its own metadata entry and reference counter', () => {
  const key = Buffer.from('sensor-1');
  const e = new MessageEntry(42, 'raw', 3, key);
  assert.ok(e instanceof PendingOffset);
  assert.equal(e.ref, e);
  assert.deepEqual([e.topic, e.partition, e.offset, e.kafkaKey], ['raw', 3, 42, key]);
  const metadata = [e];
  retainRefs(metadata);
  retainRefs(metadata); // a window keeps it
  releaseRefs(metadata);
  assert.equal(e.done, false);
  releaseRefs(metadata);
  assert.equal(e.done, true);
});

test('partition offsets: per partition, skipping what was handled, committing the finished prefix', () => {
  const offsets = new PartitionOffsets();
  const a0 = new MessageEntry(5, 'a', 0, undefined);
  const b0 = new MessageEntry(7, 'b', 0, undefined);
  const a1 = new MessageEntry(6, 'a', 0, undefined);
  assert.equal(offsets.track('a:0', a0, 'm5'), true);
  assert.equal(offsets.track('b:0', b0, 'm7'), true);
  assert.equal(offsets.track('a:0', a1, 'm6'), true);
  assert.equal(offsets.track('a:0', new MessageEntry(6, 'a', 0, undefined), 'again'), false, 'handled already');
  assert.deepEqual(
    [...offsets.handled()],
    [
      ['a:0', 6],
      ['b:0', 7],
    ],
  );
  a1.done = true;
  b0.done = true;
  assert.deepEqual(offsets.finished(), [{ topic: 'b', partition: 0, offset: 8, message: 'm7' }]);
  a0.done = true;
  const done = offsets.finished();
  assert.deepEqual(done, [{ topic: 'a', partition: 0, offset: 7, message: 'm6' }]);
  offsets.markCommitted(done);
  assert.deepEqual(offsets.finished(), []);
  // Restored state covers partition c:0 up to 10: offset 10 is skipped, 11 is handled.
  offsets.cover('c:0', 10);
  assert.equal(offsets.track('c:0', new MessageEntry(10, 'c', 0, undefined), 'm10'), false);
  assert.equal(offsets.track('c:0', new MessageEntry(11, 'c', 0, undefined), 'm11'), true);
  // A revoked partition is forgotten: its offsets are handled again when it comes back.
  offsets.revoke('a:0');
  assert.equal(offsets.handled().has('a:0'), false);
  assert.equal(offsets.track('a:0', new MessageEntry(6, 'a', 0, undefined), 'm6'), true);
});

test('a restore that ends after its partition was revoked and assigned again changes nothing', async () => {
  const offsets = new PartitionOffsets();
  const restores: { resolve: (covered: number) => void }[] = [];
  const preparer = new PartitionPreparer(offsets, {
    beforePartition: () => new Promise<number>((resolve) => restores.push({ resolve })),
  });
  const first = preparer.ready('t:0', 't', 0)!;
  preparer.assigned([{ topic: 't', partitions: [] }]); // revoked while its restore runs
  preparer.assigned([{ topic: 't', partitions: [0] }]);
  const second = preparer.ready('t:0', 't', 0)!;
  assert.notEqual(second, first, 'a new restore for the new assignment');
  restores[1]!.resolve(41); // the new owner's state covers up to 41
  await second;
  restores[0]!.resolve(99); // the stale restore ends last
  await first;
  assert.equal(offsets.handled().get('t:0'), 41, 'the stale restore did not cover offsets the state does not hold');
  assert.equal(preparer.ready('t:0', 't', 0), null, 'prepared');
});

test('a rewind reads again from the committed offset: messages fetched before it are dropped, the rest handled again', () => {
  const offsets = new PartitionOffsets();
  const track = (offset: number) => offsets.track('in:0', new MessageEntry(offset, 'in', 0, undefined), null);
  for (let o = 10; o < 20; o++) assert.ok(track(o));
  offsets.markCommitted([{ topic: 'in', partition: 0, offset: 15, message: null }]);
  assert.ok(offsets.rewind('in:0'));
  // 20 and 21 were in the client's buffer, fetched before it went back to offset 15.
  assert.equal(track(20), false);
  assert.equal(track(21), false);
  // Read again from 15: handled again, then on past where it was.
  for (let o = 15; o < 25; o++) assert.ok(track(o), `offset ${o}`);
  assert.equal(track(16), false, 'handled once since the rewind');
});

test('a rewind with nothing handled past the committed offset changes nothing', () => {
  const offsets = new PartitionOffsets();
  const track = (offset: number) => offsets.track('in:0', new MessageEntry(offset, 'in', 0, undefined), null);
  for (let o = 0; o < 5; o++) assert.ok(track(o));
  offsets.markCommitted([{ topic: 'in', partition: 0, offset: 5, message: null }]);
  assert.equal(offsets.rewind('in:0'), false);
  assert.equal(offsets.rewind('other:3'), false);
  assert.ok(track(5), 'the next message is handled (not taken for one fetched before a rewind)');
});
