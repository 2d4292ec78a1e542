// Runs a graph with Checkpointable nodes uninterrupted, and again checkpointed and restored mid-stream (into a
// fresh graph, and into the same graph after a dropPartition), so a test can check that both give the same
// outputs. The checkpoint goes through JSON, as an application's changelog does.
import assert from 'node:assert/strict';
import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  isCheckpointable,
} from '../../src/core/checkpointable.ts';
import type { Metadata } from '../../src/core/refcount.ts';
import type { Stream } from '../../src/core/stream.ts';

/** One input element: which source, the value, its Kafka partition and offset (per source and partition). */
export interface Fed {
  input: number;
  x: unknown;
  partition: number;
  key?: string;
  /** A call on the graph instead of an element (e.g. `collect`'s flush). */
  act?: 'flush';
}

/** What a test builds: the sources, the node under test, and an action for `act` events. */
export interface Built {
  sources: Stream<any>[];
  node: Stream<any>;
  flush?: () => void;
}

/**
 * `n` elements alternating irregularly between two inputs over two partitions, each input a little out of order
 * (`x.ts`), with keys `x.k` k0/k1 and record keys r0-r3.
 */
export function twoInputs(n: number): Fed[] {
  return Array.from({ length: n }, (_, i) => ({
    input: (i * 5) % 3 === 0 ? 1 : 0,
    x: { id: i, ts: 1000 + i * 10 - ((i * 3) % 4) * 10, k: `k${i % 2}` },
    partition: Math.floor(i / 3) % 2,
    key: `r${i % 4}`,
  }));
}

/** A store of checkpoint entries kept as JSON text, per namespace and partition. */
export class JsonEntries implements CheckpointWriter, CheckpointReader {
  readonly data = new Map<string, string>();
  writes = 0;
  set(namespace: string, partition: number, key: string, value: unknown): void {
    this.writes++;
    this.data.set(JSON.stringify([namespace, partition, key]), JSON.stringify(value));
  }
  delete(namespace: string, partition: number, key: string): void {
    this.data.delete(JSON.stringify([namespace, partition, key]));
  }
  *entries(namespace: string, partition: number): Iterable<readonly [string, unknown]> {
    for (const [k, v] of this.data) {
      const [ns, p, key] = JSON.parse(k) as [string, number, string];
      if (ns === namespace && p === partition) yield [key, JSON.parse(v)];
    }
  }
}

/** Each output with the partition and record key its metadata names first (where it goes in a Kafka topic). */
export type Out = [unknown, number | undefined, unknown];

function feedAll(built: Built, events: readonly Fed[], offsets: Map<string, number>): Out[] {
  const out: Out[] = [];
  built.node.sink((x: unknown, md?: Metadata) => {
    out.push([x, md?.[0]?.partition as number | undefined, md?.[0]?.kafkaKey]);
  });
  for (const e of events) feed(built, e, offsets);
  return out;
}

function feed(built: Built, e: Fed, offsets: Map<string, number>): void {
  if (e.act === 'flush') {
    built.flush!();
    return;
  }
  const k = `${e.input}:${e.partition}`;
  const offset = offsets.get(k) ?? 0;
  offsets.set(k, offset + 1);
  const md: Metadata = [{ partition: e.partition, offset, ...(e.key === undefined ? {} : { kafkaKey: e.key }) }];
  void built.sources[e.input]!.emit(e.x, md);
}

function asCheckpointable(s: Stream<any>): Stream<any> & Checkpointable {
  assert.ok(isCheckpointable(s), `${s.kind} is checkpointable`);
  return s as Stream<any> & Checkpointable;
}

/**
 * The outputs of an uninterrupted run of `events`, and of runs checkpointed every `every` events up to `cut` and
 * then restored: into a fresh graph, and into the same graph after going on past the checkpoint (outputs then
 * discarded, as a partition's new owner would not have them) and dropping every partition. Asserts both equal the
 * uninterrupted run.
 */
export function checkRestore(build: () => Built, events: readonly Fed[], cut: number, every = 3): Out[] {
  const whole = feedAll(build(), events, new Map());
  const partitions = [...new Set(events.filter((e) => e.act === undefined).map((e) => e.partition))];

  // Checkpointed along the way, then a fresh graph restores it and reads from where the checkpoint was.
  const store = new JsonEntries();
  const a = build();
  const node = asCheckpointable(a.node);
  const offsets = new Map<string, number>();
  const before = feedAll(a, [], offsets);
  for (let i = 0; i < cut; i++) {
    feed(a, events[i]!, offsets);
    if ((i + 1) % every === 0) node.checkpoint(store);
  }
  node.checkpoint(store);
  const atCut = new Map(offsets);
  const b = build();
  const again = asCheckpointable(b.node);
  for (const p of partitions) again.restorePartition(store, p);
  const after = feedAll(b, events.slice(cut), new Map(atCut));
  assert.deepEqual([...before, ...after], whole, `${node.kind}: restored into a fresh node`);

  // The same node goes on, loses its partitions, takes them back from the checkpoint and reads from there again.
  const mark = before.length;
  for (let i = cut; i < Math.min(events.length, cut + 4); i++) feed(a, events[i]!, offsets);
  before.length = mark;
  for (const p of partitions) node.dropPartition(p);
  for (const p of partitions) node.restorePartition(store, p);
  const replay = new Map(atCut);
  for (let i = cut; i < events.length; i++) feed(a, events[i]!, replay);
  assert.deepEqual(before, whole, `${node.kind}: dropped and restored in the same node`);
  return whole;
}
