// Runs a frame pipeline over frames from two input partitions, uninterrupted and checkpointed mid-stream, and
// checks the Checkpointable contract on every stateful node in it: a run resumed from a checkpoint, a partition
// restored into a fresh node, and a dropped partition all give what an uninterrupted run gives.
import assert from 'node:assert/strict';
import { type Checkpointable, isCheckpointable, partitionOf } from '../../src/core/checkpointable.ts';
import type { Metadata } from '../../src/core/refcount.ts';
import { Frame, Stream, StreamingFrame } from '../../src/index.ts';
import { MemoryStateStore } from '../../src/state/index.ts';

/** One input frame and the partition it came from. */
export interface Input {
  frame: Frame;
  partition: number;
}

/** What a pipeline emitted: the partition its metadata names, the input that caused it (end: Infinity), the value. */
interface Output {
  p: number;
  at: number;
  v: string;
}

/** Frames of `rows` rows, partitions 0 and 1 in turn, each partition's times increasing with some disorder. */
export function inputs(count: number, rows: number, seed = 7): Input[] {
  let s = seed;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const sensors = ['a', 'b', 'c', 'd'];
  const out: Input[] = [];
  for (let i = 0; i < count; i++) {
    const partition = i % 2;
    const base = Math.floor(i / 2) * rows * 10;
    const frame = Frame.fromRows(
      Array.from({ length: rows }, (_, j) => ({
        ts: Math.max(0, base + j * 10 - Math.floor(rnd() * 30)),
        sensor: sensors[Math.floor(rnd() * (partition === 0 ? 4 : 3))]!,
        v: rnd() < 0.05 ? null : Math.round(rnd() * 1000) / 10,
        w: Math.round(rnd() * 100),
      })),
      { time: 'ts', key: 'sensor' },
    );
    out.push({ frame, partition });
  }
  return out;
}

function normalize(x: unknown): string {
  return JSON.stringify(x, (_k, v) => {
    if (v instanceof Frame) return { frame: v.toRows(), time: v.time === null ? null : Array.from(v.time) };
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

/** Makes the pipeline on a streaming frame: a stream, a streaming frame or a series. */
type Build = (sf: StreamingFrame) => object;

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
  readonly source = new Stream<Frame>();
  readonly out: Output[] = [];
  readonly nodes: (Checkpointable & Stream<any>)[];
  private at = 0;

  constructor(build: Build) {
    const built = build(new StreamingFrame(this.source));
    // A series: the frames it is a column of.
    const b = built as { source?: StreamingFrame; stream?: Stream<any> };
    const tail = built instanceof Stream ? built : (b.source?.stream ?? b.stream!);
    tail.connect(new Capture((x, md) => this.out.push({ p: partitionOf(md), at: this.at, v: normalize(x) })));
    this.nodes = stateNodes(this.source);
    assert.ok(this.nodes.length > 0, 'the pipeline has a checkpointable node');
  }

  feed(items: readonly Input[], from: number, to: number, only?: number): void {
    for (let i = from; i < to; i++) {
      const { frame, partition } = items[i]!;
      if (only !== undefined && partition !== only) continue;
      this.at = i;
      const r = this.source.emit(frame, [{ partition }]);
      assert.equal(r, undefined, 'synchronous');
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

/**
 * Checks a frame pipeline against the contract: `build` makes it on a streaming frame (rows: ts, sensor, v, w).
 * `incremental`: a checkpoint right after another writes nothing.
 */
export function checkFramePipeline(
  build: Build,
  options: { frames?: number; rows?: number; incremental?: boolean; endOrder?: boolean } = {},
): void {
  // The row windows close what is open at the end of the input by start only: windows of one start come in the
  // order their keys sit in the node, which a restore may change. `endOrder: false` compares those as sets.
  const same = (actual: Output[], expected: Output[], message: string) => {
    if (options.endOrder !== false) return assert.deepEqual(actual, expected, message);
    const sorted = (o: Output[]) => [
      ...o.filter((x) => x.at !== Number.POSITIVE_INFINITY),
      ...o.filter((x) => x.at === Number.POSITIVE_INFINITY).sort((x, y) => (x.v < y.v ? -1 : x.v > y.v ? 1 : 0)),
    ];
    assert.deepEqual(sorted(actual), sorted(expected), message);
  };
  const items = inputs(options.frames ?? 12, options.rows ?? 25);
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
    const count = { set: () => writes++, delete: () => writes++ };
    for (const n of a.nodes) n.checkpoint(count);
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
  const after1 = u.out.filter((o) => o.p === 1 && o.at >= cut);
  same(c.out, after1, 'partition 1 restored alone');

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
