import { requireInteger } from '../../errors.ts';
import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  metadataOrigin,
  namespaceOption,
  partitionOf,
  restoredMetadata,
} from '../checkpointable.ts';
import { concatMetadata, type Metadata, releaseRefs, retainRefs } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

export interface SlidingWindowOptions {
  /** Emit the window before it holds `n` elements too. Default: true. */
  returnPartial?: boolean;
  /** The store namespace of the last elements when an application checkpoints them. Default: `'slidingWindow'`. */
  namespace?: string;
}

/** The last elements of one input partition (a Kafka partition; 0 outside Kafka). */
interface Part<T> {
  readonly values: T[];
  /** The metadata still held, of the last `metas.length` values. */
  readonly metas: (Metadata | undefined)[];
  dirty: boolean;
}

/** The store key of a partition's window (one entry: at most `n` values). */
const LAST = 'last';

/**
 * Emits the last `n` elements as an array after every element, per input partition for records from Kafka. An
 * element's metadata is held until the window that first holds it full has been emitted (the next element would
 * push it out). {@link Checkpointable}: the last elements (JSON values) with their origin go into an
 * application's checkpoints.
 */
export class SlidingWindowNode<T> extends Stream<T[]> implements Checkpointable {
  readonly keepsInput: string = 'the last n records';
  override kind = 'slidingWindow';
  readonly namespace: string;
  readonly n: number;
  private readonly returnPartial: boolean;
  private readonly parts = new Map<number, Part<T>>();
  // Consecutive elements mostly come from one partition: one lookup per change of partition.
  private last: Part<T> | null = null;
  private lastId = -1;

  constructor(upstream: Stream<T>, n: number, options: SlidingWindowOptions) {
    requireInteger('slidingWindow', 'n', n, 1);
    const namespace = namespaceOption('slidingWindow', options.namespace, 'slidingWindow');
    super({ clock: upstream.clock });
    this.namespace = namespace;
    this.n = n;
    this.returnPartial = options.returnPartial ?? true;
    upstream.connect(this);
  }

  private part(id: number): Part<T> {
    if (id === this.lastId && this.last !== null) return this.last;
    let p = this.parts.get(id);
    if (p === undefined) this.parts.set(id, (p = { values: [], metas: [], dirty: false }));
    this.last = p;
    this.lastId = id;
    return p;
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const p = this.part(partitionOf(metadata));
    const values = p.values;
    const metas = p.metas;
    p.dirty = true;
    retainRefs(metadata);
    values.push(x as T);
    if (values.length > this.n) values.shift();
    metas.push(metadata);
    if (metas.length > this.n) releaseRefs(metas.shift());
    if (!this.returnPartial && values.length < this.n) return;
    const r = this.pass(values.slice(), concatMetadata(metas));
    if (metas.length === this.n) releaseRefs(metas.shift());
    return r;
  }

  /** Writes the last elements of each partition that changed, with the origin of those still held. */
  checkpoint(writer: CheckpointWriter): void {
    for (const [id, p] of this.parts) {
      if (!p.dirty) continue;
      p.dirty = false;
      writer.set(this.namespace, id, LAST, { values: p.values, from: p.metas.map(metadataOrigin) });
    }
  }

  /** Takes back the last elements of `partition`; those still held keep their origin (partition and key). */
  restorePartition(reader: CheckpointReader, partition: number): void {
    this.dropPartition(partition);
    for (const [k, v] of reader.entries(this.namespace, partition)) {
      if (k !== LAST) continue;
      const e = v as { values: T[]; from: { partition: number; key: string | null }[] };
      const p = this.part(partition);
      p.values.push(...e.values);
      for (const o of e.from) p.metas.push(restoredMetadata(o));
    }
  }

  dropPartition(partition: number): void {
    const p = this.parts.get(partition);
    if (p === undefined) return;
    for (const md of p.metas) releaseRefs(md);
    this.parts.delete(partition);
    this.last = null;
    this.lastId = -1;
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Emits the last `n` elements as an array after every element.
     * @example source.slidingWindow(3) // 1, 2, 3, 4 -> [1], [1, 2], [1, 2, 3], [2, 3, 4]
     */
    slidingWindow(n: number, options?: SlidingWindowOptions): Stream<T[]>;
  }
}

Stream.register(
  'slidingWindow',
  function slidingWindow(this: Stream<any>, n: number, options: SlidingWindowOptions = {}) {
    return new SlidingWindowNode(this, n, options);
  },
);
