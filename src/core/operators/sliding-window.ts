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
import { InputPartitions } from '../input-partitions.ts';
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

/** What a checkpoint holds for a partition: at most `n` values, and the origin of those still held. */
type Saved<T> = { values: T[]; from: { partition: number; key: string | null }[] };

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
  private readonly parts = new InputPartitions<Part<T>>({
    key: 'last',
    make: () => ({ values: [], metas: [], dirty: false }),
    save: (p): Saved<T> => ({ values: p.values, from: p.metas.map(metadataOrigin) }),
    load: (p, saved: Saved<T>) => {
      p.values.push(...saved.values);
      for (const o of saved.from) p.metas.push(restoredMetadata(o));
    },
    release: (p) => {
      for (const md of p.metas) releaseRefs(md);
    },
  });

  constructor(upstream: Stream<T>, n: number, options: SlidingWindowOptions) {
    requireInteger('slidingWindow', 'n', n, 1);
    const namespace = namespaceOption('slidingWindow', options.namespace, 'slidingWindow');
    super({ clock: upstream.clock });
    this.namespace = namespace;
    this.n = n;
    this.returnPartial = options.returnPartial ?? true;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const p = this.parts.get(partitionOf(metadata));
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
    this.parts.checkpoint(writer, this.namespace);
  }

  /** Takes back the last elements of `partition`; those still held keep their origin (partition and key). */
  restorePartition(reader: CheckpointReader, partition: number): void {
    this.parts.restore(reader, this.namespace, partition);
  }

  dropPartition(partition: number): void {
    this.parts.drop(partition);
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
