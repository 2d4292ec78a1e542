import { badArgument } from '../../errors.ts';
import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  metadataOrigin,
  namespaceOption,
  partitionOf,
  restoredMetadata,
} from '../checkpointable.ts';
import { both, type Held, hold, releaseAll } from '../held.ts';
import { InputOffsets } from '../input-offsets.ts';
import { InputPartitions } from '../input-partitions.ts';
import { concatMetadata, type Metadata, releaseRefs } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

export interface ZipLatestOptions {
  /** The store namespace of the elements held when an application checkpoints them. Default: `'zipLatest'`. */
  namespace?: string;
}

/** What one input partition (a Kafka partition; 0 outside Kafka) holds. */
interface Part {
  /** The first input's elements waiting for every other input to have one. */
  pending: Held<unknown>[];
  /** The latest element of each input (by input order; the first input's slot stays empty). */
  readonly latest: (Held<unknown> | undefined)[];
  /** How many of the other inputs have an element. */
  filled: number;
  /** The greatest Kafka offset taken from each input, and after a restore the one the state covers. */
  readonly offsets: InputOffsets;
  dirty: boolean;
}

type Origin = { partition: number; key: string | null };

/** What a checkpoint holds for a partition (by input order). */
type Saved = {
  high: number[];
  pending: { x: unknown; from: Origin }[];
  latest: ({ x: unknown; from: Origin } | null)[];
};

/**
 * Like combineLatest, but the first input is lossless: each of its elements is emitted exactly once, with the
 * latest elements of the others (waiting, in order, until all the others have one).
 *
 * Per input partition, as `combineLatest` (partition p of each input; an application joins partition p of
 * co-partitioned topics). {@link Checkpointable}: the first input's waiting elements and the others' latest
 * (JSON values, with their origin) go into an application's checkpoints, with the greatest offset taken from each
 * input, so records of the other topics read again after a restore are skipped.
 */
export class ZipLatestNode extends Stream<unknown[]> implements Checkpointable {
  readonly keepsInput: string = 'the latest record of each input';
  override kind = 'zipLatest';
  readonly namespace: string;
  /** The upstream whose input partitions keep the state (the first input): the others' topics join its. */
  readonly stateSide: Stream<any>;
  private readonly order: Stream<any>[] = [];
  private readonly parts = new InputPartitions<Part>({
    key: 'held',
    make: () => {
      const n = this.order.length;
      return {
        pending: [],
        latest: new Array(n).fill(undefined),
        filled: 0,
        offsets: new InputOffsets(n),
        dirty: false,
      };
    },
    save: (p): Saved => ({
      high: p.offsets.taken,
      pending: p.pending.map((h) => ({ x: h.x, from: metadataOrigin(h.md) })),
      latest: p.latest.map((h) => (h === undefined ? null : { x: h.x, from: metadataOrigin(h.md) })),
    }),
    load: (p, saved: Saved) => {
      for (const it of saved.pending) p.pending.push({ x: it.x, md: restoredMetadata(it.from) });
      for (let i = 0; i < p.latest.length && i < saved.latest.length; i++) {
        p.offsets.restore(i, saved.high[i] ?? -1);
        const l = saved.latest[i];
        if (i === 0 || l === null || l === undefined) continue;
        p.latest[i] = { x: l.x, md: restoredMetadata(l.from) };
        p.filled++;
      }
    },
    release: (p) => {
      releaseAll(p.pending);
      for (const h of p.latest) if (h !== undefined) releaseRefs(h.md);
    },
  });

  constructor(inputs: readonly Stream<any>[], options: ZipLatestOptions = {}) {
    for (const s of inputs) if (!(s instanceof Stream)) badArgument('zipLatest', 'stream', s, 'a Stream');
    const namespace = namespaceOption('zipLatest', options.namespace, 'zipLatest');
    super({ clock: inputs[0]?.clock });
    this.namespace = namespace;
    this.stateSide = inputs[0]!;
    for (const s of inputs) s.connect(this);
  }

  protected override upstreamAdded(up: Stream<any>): void {
    if (this.order.includes(up)) return;
    this.order.push(up);
    for (const p of this.parts.values()) {
      p.latest.push(undefined);
      p.offsets.add();
    }
  }

  override update(x: unknown, who?: Stream<any>, metadata?: Metadata): Pushed {
    const i = who === undefined ? -1 : this.order.indexOf(who);
    if (i < 0) return;
    const p = this.parts.get(partitionOf(metadata));
    if (!p.offsets.take(i, metadata)) return; // read again after a restore: already in the state, or emitted
    p.dirty = true;
    if (i === 0) p.pending.push(hold(x, metadata));
    else {
      const old = p.latest[i];
      p.latest[i] = hold(x, metadata);
      if (old !== undefined) releaseRefs(old.md);
      else p.filled++;
    }
    if (p.filled < p.latest.length - 1 || p.pending.length === 0) return;
    const others = p.latest.slice(1) as Held<unknown>[];
    const items = p.pending;
    p.pending = [];
    let r: Pushed = undefined;
    try {
      for (const item of items) {
        const out = [item.x];
        const mds = [item.md];
        for (const h of others) {
          out.push(h.x);
          mds.push(h.md);
        }
        r = both(r, this.pass(out, concatMetadata(mds)));
      }
    } finally {
      releaseAll(items);
    }
    return r;
  }

  /** Writes the state of each partition that changed, with the greatest offset taken from each input. */
  checkpoint(writer: CheckpointWriter): void {
    this.parts.checkpoint(writer, this.namespace);
  }

  /** Takes back the state of `partition` (by input order); its elements keep their origin. */
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
     * Emits every element of this stream with the latest elements of the others (options last, if any).
     * @example readings.zipLatest(calibration)
     */
    zipLatest(...others: (Stream<any> | ZipLatestOptions)[]): Stream<unknown[]>;
  }
}

Stream.register('zipLatest', function zipLatest(this: Stream<any>, ...args: unknown[]) {
  const last = args[args.length - 1];
  const options =
    last !== undefined && last !== null && !(last instanceof Stream) && typeof last === 'object'
      ? (args.pop() as ZipLatestOptions)
      : {};
  return new ZipLatestNode([this, ...(args as Stream<any>[])], options);
});
