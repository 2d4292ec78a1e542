// Runs a pipeline over elements from two input partitions, uninterrupted and checkpointed mid-stream, and checks
// the Checkpointable contract on every stateful node in it: a run resumed from a checkpoint, a partition restored
// into a fresh node, and a dropped partition all give what an uninterrupted run gives.
import assert from 'node:assert/strict';
import { type Checkpointable, isCheckpointable, partitionOf } from '../../../src/core/checkpointable.ts';
import type { Metadata } from '../../../src/core/refcount.ts';
import { Stream } from '../../../src/index.ts';
import { MemoryStateStore } from '../../../src/state/index.ts';

/** One input element and the partition it came from. */
export interface Item {
  x: unknown;
  partition: number;
}

interface Output {
  p: number;
  at: number;
  v: string;
}

function normalize(x: unknown): string {
  return JSON.stringify(x, (_k, v) => {
    if (v instanceof Map) return { map: [...v] };
    if (v !== null && typeof v === 'object' && typeof (v as { toRows?: unknown }).toRows === 'function')
      return { rows: (v as { toRows(): unknown }).toRows() };
    if (typeof v === 'number') return String(v);
    return v;
  });
}

class Capture extends Stream<never> {
  private readonly fn: (x: unknown, md: Metadata | undefined) => void;

  constructor(fn: (x: unknown, md: Metadata | undefined) => void) {
    super();
    this.fn = fn;
  }

  override update(x: unknown, _who?: Stream<any>, md?: Metadata): undefined {
    this.fn(x, md);
  }
}

/** Makes the pipeline on a source: a stream, or something holding one (`.stream`). */
type Build = (source: Stream<any>) => object;

class Run {
  readonly source = new Stream<any>();
  readonly out: Output[] = [];
  readonly nodes: (Checkpointable & Stream<any>)[] = [];
  private at = 0;

  constructor(build: Build) {
    const built = build(this.source) as Stream<any> | { stream: Stream<any> };
    const tail = built instanceof Stream ? built : built.stream;
    tail.connect(new Capture((x, md) => this.out.push({ p: partitionOf(md), at: this.at, v: normalize(x) })));
    const seen = new Set<Stream<any>>();
    const stack = [...this.source.downstreams];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      if (isCheckpointable(s)) this.nodes.push(s as Checkpointable & Stream<any>);
      stack.push(...s.downstreams);
    }
    assert.ok(this.nodes.length > 0, 'the pipeline has a checkpointable node');
  }

  feed(items: readonly Item[], from: number, to: number, only?: number): void {
    for (let i = from; i < to; i++) {
      const { x, partition } = items[i]!;
      if (only !== undefined && partition !== only) continue;
      this.at = i;
      assert.equal(this.source.emit(x, [{ partition }]), undefined, 'synchronous');
    }
  }

  end(): void {
    this.at = Number.POSITIVE_INFINITY;
    this.source.end();
  }

  checkpoint(store: MemoryStateStore): void {
    store.transaction((tx) => {
      for (const n of this.nodes) n.checkpoint(tx);
    });
  }

  restore(store: MemoryStateStore, partition: number): void {
    for (const n of this.nodes) n.restorePartition(store, partition);
  }
}

/** Checks a pipeline against the contract on `items` (partitions 0 and 1). */
export function checkPipeline(build: Build, items: readonly Item[]): void {
  const cut = Math.floor(items.length / 2) + 1;
  const u = new Run(build);
  u.feed(items, 0, items.length);
  u.end();
  assert.ok(u.out.length > 0, 'the pipeline emits');

  const store = new MemoryStateStore();
  const a = new Run(build);
  a.feed(items, 0, Math.floor(cut / 2));
  a.checkpoint(store);
  a.feed(items, Math.floor(cut / 2), cut);
  a.checkpoint(store);
  let writes = 0;
  for (const n of a.nodes) n.checkpoint({ set: () => writes++, delete: () => writes++ });
  assert.equal(writes, 0, 'nothing changed since the last checkpoint: nothing written');
  const b = new Run(build);
  b.restore(store, 0);
  b.restore(store, 1);
  b.feed(items, cut, items.length);
  b.end();
  assert.deepEqual([...a.out, ...b.out], u.out, 'resumed from a checkpoint');

  const c = new Run(build);
  c.restore(store, 1);
  c.feed(items, cut, items.length, 1);
  c.end();
  assert.deepEqual(
    c.out,
    u.out.filter((o) => o.p === 1 && o.at >= cut),
    'partition 1 restored alone',
  );

  const d = new Run(build);
  d.restore(store, 0);
  d.restore(store, 1);
  for (const n of d.nodes) n.dropPartition(1);
  d.feed(items, cut, items.length);
  d.end();
  const fresh = new Run(build);
  fresh.feed(items, cut, items.length, 1);
  fresh.end();
  assert.deepEqual(
    d.out.filter((o) => o.p === 0),
    u.out.filter((o) => o.p === 0 && o.at >= cut),
    'partition 0 goes on after partition 1 was dropped',
  );
  assert.deepEqual(
    d.out.filter((o) => o.p === 1).map((o) => o.v),
    fresh.out.map((o) => o.v),
    'partition 1 starts afresh after a drop',
  );
}

/** `count` elements made by `make(i)`, partitions 0 and 1 in an uneven interleaving. */
export function items(count: number, make: (i: number) => unknown): Item[] {
  return Array.from({ length: count }, (_, i) => ({ x: make(i), partition: (i * 7) % 3 === 0 ? 1 : 0 }));
}
