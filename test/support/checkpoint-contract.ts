// Runs a pipeline over elements from two input partitions, uninterrupted and checkpointed mid-stream, and checks
// the Checkpointable contract on every stateful node in it: a run resumed from a checkpoint, a partition restored
// into a fresh node, and a dropped partition all give what an uninterrupted run gives.
import assert from 'node:assert/strict';
import { type Checkpointable, isCheckpointable, partitionOf } from '../../src/core/checkpointable.ts';
import type { Metadata } from '../../src/core/refcount.ts';
import { Frame, Stream } from '../../src/index.ts';
import { MemoryStateStore } from '../../src/state/index.ts';

/** One input element and the partition it came from. */
export interface Item {
  x: unknown;
  partition: number;
}

/** What a pipeline emitted: the partition its metadata names, the input that caused it (end: Infinity), the value. */
interface Output {
  p: number;
  at: number;
  v: string;
}

/** Makes the pipeline on a source: a stream, something holding one (`.stream`), or a series (`.source.stream`). */
export type Build = (source: Stream<any>) => object;

/** How strictly the runs are compared. */
export interface ContractOptions {
  /** A checkpoint right after another writes nothing (default true). */
  incremental?: boolean;
  /**
   * Windows that close at the end of the input come in the order the node holds their keys, which a restore may
   * change: `false` compares the outputs of the end as sets (default true: in order).
   */
  endOrder?: boolean;
}

// Numbers as text so that -0, NaN and Infinity compare as themselves; frames with their time column.
function normalize(x: unknown): string {
  return JSON.stringify(x, (_k, v) => {
    if (v instanceof Frame) return { frame: v.toRows(), time: v.time === null ? null : Array.from(v.time) };
    if (v instanceof Map) return { map: [...v] };
    if (v !== null && typeof v === 'object' && typeof (v as { toRows?: unknown }).toRows === 'function')
      return { rows: (v as { toRows(): unknown }).toRows() };
    if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>).map((n) => String(n));
    if (typeof v === 'number') return String(v);
    return v;
  });
}

/** The stateful nodes below `source`, found by the contract. */
function stateNodes(source: Stream<any>): (Checkpointable & Stream<any>)[] {
  const found: (Checkpointable & Stream<any>)[] = [];
  const seen = new Set<Stream<any>>();
  const stack = [...source.downstreams];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    if (isCheckpointable(s)) found.push(s as Checkpointable & Stream<any>);
    stack.push(...s.downstreams);
  }
  return found;
}

/** A sink that sees each element's metadata. */
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

class Run {
  readonly source = new Stream<any>();
  readonly out: Output[] = [];
  readonly nodes: (Checkpointable & Stream<any>)[];
  private at = 0;

  constructor(build: Build) {
    const built = build(this.source);
    // A series: the frames it is a column of.
    const b = built as { source?: { stream: Stream<any> }; stream?: Stream<any> };
    const tail = built instanceof Stream ? built : (b.source?.stream ?? b.stream!);
    tail.connect(new Capture((x, md) => this.out.push({ p: partitionOf(md), at: this.at, v: normalize(x) })));
    this.nodes = stateNodes(this.source);
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
export function checkPipeline(build: Build, items: readonly Item[], options: ContractOptions = {}): void {
  const same = (actual: Output[], expected: Output[], message: string) => {
    if (options.endOrder !== false) return assert.deepEqual(actual, expected, message);
    const sorted = (o: Output[]) => [
      ...o.filter((x) => x.at !== Number.POSITIVE_INFINITY),
      ...o.filter((x) => x.at === Number.POSITIVE_INFINITY).sort((x, y) => (x.v < y.v ? -1 : x.v > y.v ? 1 : 0)),
    ];
    assert.deepEqual(sorted(actual), sorted(expected), message);
  };
  const cut = Math.floor(items.length / 2) + 1;
  const u = new Run(build);
  u.feed(items, 0, items.length);
  u.end();
  assert.ok(u.out.length > 0, 'the pipeline emits');

  // Resumed: checkpoints at a quarter and at the cut (the second writes what changed since the first).
  const store = new MemoryStateStore();
  const a = new Run(build);
  a.feed(items, 0, Math.floor(cut / 2));
  a.checkpoint(store);
  a.feed(items, Math.floor(cut / 2), cut);
  a.checkpoint(store);
  if (options.incremental !== false) {
    let writes = 0;
    for (const n of a.nodes) n.checkpoint({ set: () => writes++, delete: () => writes++ });
    assert.equal(writes, 0, 'nothing changed since the last checkpoint: nothing written');
  }
  const b = new Run(build);
  b.restore(store, 0);
  b.restore(store, 1);
  b.feed(items, cut, items.length);
  b.end();
  same([...a.out, ...b.out], u.out, 'resumed from a checkpoint');

  // One partition restored into a fresh node, fed that partition only.
  const c = new Run(build);
  c.restore(store, 1);
  c.feed(items, cut, items.length, 1);
  c.end();
  same(
    c.out,
    u.out.filter((o) => o.p === 1 && o.at >= cut),
    'partition 1 restored alone',
  );

  // A dropped partition starts afresh; the others go on.
  const d = new Run(build);
  d.restore(store, 0);
  d.restore(store, 1);
  for (const n of d.nodes) n.dropPartition(1);
  d.feed(items, cut, items.length);
  d.end();
  const fresh = new Run(build);
  fresh.feed(items, cut, items.length, 1);
  fresh.end();
  same(
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
