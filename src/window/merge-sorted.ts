import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  metadataOrigin,
  namespaceOption,
  partitionOf,
  restoredMetadata,
} from '../core/checkpointable.ts';
import { both, type Held, hold } from '../core/held.ts';
import { InputOffsets } from '../core/input-offsets.ts';
import { InputPartitions } from '../core/input-partitions.ts';
import { type ElementFn, fieldReader } from '../core/key.ts';
import type { NodeProbe } from '../core/node-metrics.ts';
import { type Metadata, releaseRefs } from '../core/refcount.ts';
import { type Pushed, Stream } from '../core/stream.ts';
import { badArgument, requireFunction, requireInteger } from '../errors.ts';
import { type Duration, toMillis } from '../time/duration.ts';
import { toTimestamp } from './timestamp.ts';

export interface MergeSortedOptions<T> {
  /** The event time of an element: a function or a field name. Default: the `timestamp` field. Any string is
   * accepted here (not only the element's field names, as elsewhere): these options share a rest parameter with
   * the input streams, and a field-name type there would make `Stream<T>` invariant in `T`. A missing field is
   * `TS_BAD_TIMESTAMP` at run time. */
  timestamp?: ElementFn<T> | string;
  /** How far out of order one input may be. Default 0 (each input is sorted). */
  maxLateness?: Duration;
  /** Elements held at most; past it the oldest is emitted early. Default 100,000. */
  maxBuffered?: number;
  /** Called for an element older than one already emitted (it is dropped and counted in `late`). */
  onLate?(element: T, timestamp: number): void;
  /** The store namespace of the elements waiting when an application checkpoints them. Default: `'mergeSorted'`. */
  namespace?: string;
}

interface Entry<T> extends Held<T> {
  t: number;
  seq: number;
}

/** The heap and watermark of one input partition (a Kafka partition; 0 outside Kafka). */
interface Part<T> {
  readonly heap: Entry<T>[];
  /** Per input (in input order): the greatest timestamp seen. */
  readonly highs: number[];
  emittedUpTo: number;
  /** The greatest Kafka offset taken from each input, and after a restore the one the state covers. */
  readonly offsets: InputOffsets;
  dirty: boolean;
}

/** What a checkpoint holds for a partition (bounded by the watermark and `maxBuffered`). */
type Saved<T> = {
  highs: (number | null)[];
  offsets: number[];
  emittedUpTo: number | null;
  waiting: { t: number; seq: number; x: T; from: { partition: number; key: string | null } }[];
};

/**
 * Interleaves several timestamped streams in time order. Elements wait in a heap until every input has moved
 * past them (the watermark: the smallest of the inputs' greatest timestamps, minus `maxLateness`); equal
 * timestamps come out in arrival order. When every input has ended, the rest comes out.
 *
 * Per input partition: for records from Kafka, partition p of each input is merged with partition p of the others
 * (two branches of one topic, or co-partitioned topics: an application joins partition p of each), under its own
 * watermark; `maxBuffered` bounds each partition's heap. {@link Checkpointable}: the elements waiting (JSON
 * values) with their origin, the inputs' greatest timestamps and the greatest offset taken from each input go into
 * an application's checkpoints, so records of the other topics read again after a restore are skipped.
 */
export class MergeSortedNode<T> extends Stream<T> implements Checkpointable {
  readonly keepsInput: string = 'records until every input has one';
  override kind = 'mergeSorted';
  readonly namespace: string;
  /** The upstream whose input partitions keep the state (the first input): the others' topics join its. */
  readonly stateSide: Stream<T>;
  late = 0;
  private readonly readTs: (x: any) => unknown;
  private readonly lateness: number;
  private readonly maxBuffered: number;
  private readonly lateHandler: ((x: T, t: number) => void) | null;
  private readonly inputs: Stream<any>[] = [];
  /** Inputs that ended: their greatest timestamp counts as +Infinity in every partition. */
  private readonly ended = new Set<number>();
  private readonly parts = new InputPartitions<Part<T>>({
    key: 'heap',
    make: () => {
      const n = this.inputs.length;
      return {
        heap: [],
        highs: this.inputs.map((_, i) => (this.ended.has(i) ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY)),
        offsets: new InputOffsets(n),
        emittedUpTo: Number.NEGATIVE_INFINITY,
        dirty: false,
      };
    },
    save: (p): Saved<T> => ({
      highs: p.highs.map(finite),
      offsets: p.offsets.taken,
      emittedUpTo: finite(p.emittedUpTo),
      waiting: p.heap.map((e) => ({ t: e.t, seq: e.seq, x: e.x, from: metadataOrigin(e.md) })),
    }),
    load: (p, saved: Saved<T>) => {
      for (let i = 0; i < p.highs.length && i < saved.highs.length; i++) {
        if (!this.ended.has(i)) p.highs[i] = saved.highs[i] ?? Number.NEGATIVE_INFINITY;
        p.offsets.restore(i, saved.offsets[i] ?? -1);
      }
      p.emittedUpTo = saved.emittedUpTo ?? Number.NEGATIVE_INFINITY;
      for (const w of saved.waiting) {
        this.push(p.heap, { x: w.x, md: restoredMetadata(w.from), t: w.t, seq: w.seq });
        if (w.seq >= this.seq) this.seq = w.seq + 1;
      }
    },
    release: (p) => {
      for (const e of p.heap) releaseRefs(e.md);
    },
  });
  private seq = 0;

  override probe(): NodeProbe {
    let depth = 0;
    let wm = Number.POSITIVE_INFINITY;
    for (const p of this.parts.values()) {
      depth += p.heap.length;
      if (p.emittedUpTo > Number.NEGATIVE_INFINITY && p.emittedUpTo < wm) wm = p.emittedUpTo;
    }
    return { late: this.late, queueDepth: depth, ...(wm < Number.POSITIVE_INFINITY ? { watermark: wm } : {}) };
  }

  constructor(inputs: Stream<T>[], options: MergeSortedOptions<T>) {
    if (inputs.length < 1) badArgument('mergeSorted', 'streams', inputs, 'at least one stream');
    const maxBuffered = options.maxBuffered ?? 100_000;
    requireInteger('mergeSorted', 'maxBuffered', maxBuffered, 1);
    if (options.onLate !== undefined) requireFunction('mergeSorted', 'onLate', options.onLate);
    const namespace = namespaceOption('mergeSorted', options.namespace, 'mergeSorted');
    super({ clock: inputs[0]!.clock });
    this.namespace = namespace;
    this.stateSide = inputs[0]!;
    const ts = options.timestamp ?? 'timestamp';
    this.readTs = typeof ts === 'string' ? fieldReader(ts) : ts;
    this.lateness = toMillis(options.maxLateness ?? 0, 'mergeSorted: maxLateness');
    this.maxBuffered = maxBuffered;
    this.lateHandler = options.onLate ?? null;
    for (const s of inputs) {
      if (!this.inputs.includes(s)) this.inputs.push(s);
      s.connect(this);
    }
  }

  override update(x: unknown, who?: Stream<any>, metadata?: Metadata): Pushed {
    const t = toTimestamp(this.readTs(x), this.label());
    const i = who === undefined ? -1 : this.inputs.indexOf(who);
    const p = this.parts.get(partitionOf(metadata));
    if (i >= 0 && !p.offsets.take(i, metadata)) return; // read again after a restore: already in the state, or emitted
    p.dirty = true;
    if (t < p.emittedUpTo) {
      this.late++;
      this.lateHandler?.(x as T, t);
      return;
    }
    if (i >= 0 && t > p.highs[i]!) p.highs[i] = t;
    const e = hold(x as T, metadata) as Entry<T>;
    e.t = t;
    e.seq = this.seq++;
    this.push(p.heap, e);
    return this.drain(p, watermark(p.highs) - this.lateness);
  }

  private drain(p: Part<T>, wm: number): Pushed {
    let r: Pushed = undefined;
    const heap = p.heap;
    while (heap.length > 0 && (heap[0]!.t <= wm || heap.length > this.maxBuffered)) {
      const e = this.pop(heap);
      p.emittedUpTo = e.t;
      try {
        r = both(r, this.pass(e.x, e.md));
      } finally {
        releaseRefs(e.md);
      }
    }
    return r;
  }

  protected override upstreamEnded(up: Stream<any>): void {
    const i = this.inputs.indexOf(up);
    if (i >= 0) {
      this.ended.add(i);
      for (const p of this.parts.values()) p.highs[i] = Number.POSITIVE_INFINITY;
    }
    super.upstreamEnded(up);
  }

  protected override flushOnEnd(): Pushed {
    let r: Pushed = undefined;
    for (const p of this.parts.values()) r = both(r, this.drain(p, Number.POSITIVE_INFINITY));
    return r;
  }

  /** Writes the heap, the inputs' greatest timestamps and offsets of each partition that changed. */
  checkpoint(writer: CheckpointWriter): void {
    this.parts.checkpoint(writer, this.namespace);
  }

  /** Takes back the heap and watermark of `partition`; the elements waiting keep their origin and order. */
  restorePartition(reader: CheckpointReader, partition: number): void {
    this.parts.restore(reader, this.namespace, partition);
  }

  dropPartition(partition: number): void {
    this.parts.drop(partition);
  }

  private less(a: Entry<T>, b: Entry<T>): boolean {
    return a.t < b.t || (a.t === b.t && a.seq < b.seq);
  }

  private push(h: Entry<T>[], e: Entry<T>): void {
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(h: Entry<T>[]): Entry<T> {
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** The watermark of a partition before the lateness: the smallest of its inputs' greatest timestamps. */
function watermark(highs: readonly number[]): number {
  let wm = Number.POSITIVE_INFINITY;
  for (let i = 0; i < highs.length; i++) if (highs[i]! < wm) wm = highs[i]!;
  return wm;
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

declare module '../core/stream.ts' {
  interface Stream<T> {
    /**
     * Interleaves this stream and `others` in event-time order under a watermark.
     * @example a.mergeSorted(b, { timestamp: 'ts', maxLateness: '1s' })
     */
    mergeSorted(...others: (Stream<T> | MergeSortedOptions<T>)[]): Stream<T>;
  }
}

Stream.register('mergeSorted', function (this: Stream<any>, ...args: unknown[]) {
  const last = args[args.length - 1];
  const options = last !== undefined && !(last instanceof Stream) ? (args.pop() as MergeSortedOptions<any>) : {};
  for (const a of args) if (!(a instanceof Stream)) badArgument('mergeSorted', 'stream', a, 'a Stream');
  return new MergeSortedNode([this, ...(args as Stream<any>[])], options);
});
