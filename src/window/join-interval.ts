import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  namespaceOption,
  partitionOf,
} from '../core/checkpointable.ts';
import { both } from '../core/held.ts';
import { InputOffsets } from '../core/input-offsets.ts';
import { InputPartitions } from '../core/input-partitions.ts';
import { fieldReader, hashKey, type KeySpec, toKeyFn } from '../core/key.ts';
import type { Metadata } from '../core/refcount.ts';
import { type Pushed, Stream } from '../core/stream.ts';
import { badArgument } from '../errors.ts';
import { type Duration, toMillis } from '../time/duration.ts';
import { type Extractor, toTimestamp } from './timestamp.ts';

export interface JoinIntervalOptions<L, R, O> {
  /** How far before a left element a right element may be. */
  backward: Duration;
  /** How far after a left element a right element may be. */
  forward: Duration;
  /** Event time of both sides. Default: the `timestamp` field. */
  timestamp?: Extractor<L | R>;
  /** Join only elements with the same key. */
  key?: KeySpec<L | R>;
  /** Builds each output pair. Default `{ ...right, ...left }`. */
  merge?: (left: L, right: R) => O;
  /** The store namespace of the join's state when an application checkpoints it. Default: `'joinInterval'`. */
  namespace?: string;
}

interface Stamped<T> {
  t: number;
  x: T;
}

/** The join's state for one input partition (a Kafka partition; 0 outside Kafka). */
interface Part<L, R> {
  readonly lefts: Map<unknown, Stamped<L>[]>;
  readonly rights: Map<unknown, Stamped<R>[]>;
  leftHigh: number;
  rightHigh: number;
  /** The greatest Kafka offset taken from each input, and after a restore the one the state covers. */
  readonly offsets: InputOffsets;
  dirty: boolean;
}

/** What a checkpoint holds for a partition (bounded by the join's reach); `offsets` per side (left, right). */
type Saved<L, R> = {
  leftHigh: number | null;
  rightHigh: number | null;
  offsets: number[];
  lefts: [unknown, Stamped<L>[]][];
  rights: [unknown, Stamped<R>[]][];
};

/**
 * An interval join: every pair of a left element at `t` and a right element in `[t - backward, t + forward]`,
 * with the same key, is emitted once, whichever side arrives second (with that element's metadata). Each side
 * keeps its elements only while the other side's greatest timestamp says a partner can still come.
 *
 * Per input partition: for records from Kafka, partition p of the left joins partition p of the right (two
 * branches of one topic, or co-partitioned topics: an application joins partition p of each).
 * {@link Checkpointable}: the elements kept (JSON values) and each side's greatest timestamp and offset go into
 * an application's checkpoints, so records of the other topic read again after a restore are skipped.
 */
export class JoinIntervalNode<L, R, O> extends Stream<O> implements Checkpointable {
  readonly keepsInput: string = "records of both sides within the join's reach";
  override kind = 'joinInterval';
  readonly namespace: string;
  /** The upstream whose input partitions keep the join's state (the left): the right topic's join its. */
  readonly stateSide: Stream<L>;
  private readonly left: Stream<L>;
  private readonly readTs: (x: any) => unknown;
  private readonly readKey: (x: any) => unknown;
  private readonly backward: number;
  private readonly forward: number;
  private readonly combine: (l: L, r: R) => O;
  private readonly parts = new InputPartitions<Part<L, R>>({
    key: 'join',
    make: () => ({
      lefts: new Map(),
      rights: new Map(),
      leftHigh: Number.NEGATIVE_INFINITY,
      rightHigh: Number.NEGATIVE_INFINITY,
      offsets: new InputOffsets(2),
      dirty: false,
    }),
    save: (p): Saved<L, R> => ({
      leftHigh: finite(p.leftHigh),
      rightHigh: finite(p.rightHigh),
      offsets: p.offsets.taken,
      lefts: [...p.lefts].map(([k, list]) => [k ?? null, list]),
      rights: [...p.rights].map(([k, list]) => [k ?? null, list]),
    }),
    load: (p, saved: Saved<L, R>) => {
      p.leftHigh = saved.leftHigh ?? Number.NEGATIVE_INFINITY;
      p.rightHigh = saved.rightHigh ?? Number.NEGATIVE_INFINITY;
      p.offsets.restore(0, saved.offsets[0]!);
      p.offsets.restore(1, saved.offsets[1]!);
      for (const [key, list] of saved.lefts) p.lefts.set(key, list);
      for (const [key, list] of saved.rights) p.rights.set(key, list);
    },
  });

  constructor(left: Stream<L>, right: Stream<R>, options: JoinIntervalOptions<L, R, O>) {
    if (!(right instanceof Stream)) badArgument('joinInterval', 'other', right, 'a Stream');
    if (options === undefined || options.backward === undefined || options.forward === undefined) {
      badArgument('joinInterval', 'options', options, '{ backward, forward } durations');
    }
    const namespace = namespaceOption('joinInterval', options.namespace, 'joinInterval');
    super({ clock: left.clock });
    this.namespace = namespace;
    this.backward = toMillis(options.backward, 'joinInterval: backward');
    this.forward = toMillis(options.forward, 'joinInterval: forward');
    const ts = options.timestamp ?? 'timestamp';
    this.readTs = typeof ts === 'string' ? fieldReader(ts) : ts;
    this.readKey = options.key === undefined ? () => null : toKeyFn('joinInterval', options.key);
    this.combine = options.merge ?? ((l: any, r: any) => ({ ...r, ...l }) as O);
    this.left = left;
    this.stateSide = left;
    left.connect(this);
    right.connect(this);
  }

  override update(x: unknown, who?: Stream<any>, metadata?: Metadata): Pushed {
    const t = toTimestamp(this.readTs(x), this.label());
    const k = hashKey(this.readKey(x));
    const p = this.parts.get(partitionOf(metadata));
    const side = who === this.left ? 0 : 1;
    if (!p.offsets.take(side, metadata)) return; // read again after a restore: already in the state, or joined
    p.dirty = true;
    let r: Pushed = undefined;
    if (side === 0) {
      const others = p.rights.get(k);
      if (others !== undefined)
        for (const o of others) {
          if (o.t >= t - this.backward && o.t <= t + this.forward)
            r = both(r, this.pass(this.combine(x as L, o.x), metadata));
        }
      add(p.lefts, k, t, x as L);
      if (t > p.leftHigh) p.leftHigh = t;
    } else {
      const others = p.lefts.get(k);
      if (others !== undefined)
        for (const o of others) {
          if (t >= o.t - this.backward && t <= o.t + this.forward)
            r = both(r, this.pass(this.combine(o.x, x as R), metadata));
        }
      add(p.rights, k, t, x as R);
      if (t > p.rightHigh) p.rightHigh = t;
    }
    // A left element can still pair only with right elements up to t + forward: once the right side has passed
    // that, it is done (and symmetrically).
    evict(p.lefts, (lt) => lt + this.forward < p.rightHigh - this.backward - this.forward);
    evict(p.rights, (rt) => rt + this.backward < p.leftHigh - this.forward - this.backward);
    return r;
  }

  /** Writes the state of each partition that changed: the elements kept, each side's greatest timestamp and offset. */
  checkpoint(writer: CheckpointWriter): void {
    this.parts.checkpoint(writer, this.namespace);
  }

  /** Takes back the state of `partition`. */
  restorePartition(reader: CheckpointReader, partition: number): void {
    this.parts.restore(reader, this.namespace, partition);
  }

  /** Forgets the state of `partition` (its elements are values only: no metadata is held). */
  dropPartition(partition: number): void {
    this.parts.drop(partition);
  }
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function add<T>(m: Map<unknown, Stamped<T>[]>, k: unknown, t: number, x: T): void {
  let list = m.get(k);
  if (list === undefined) m.set(k, (list = []));
  list.push({ t, x });
}

function evict<T>(m: Map<unknown, Stamped<T>[]>, done: (t: number) => boolean): void {
  for (const [k, list] of m) {
    const kept = list.filter((e) => !done(e.t));
    if (kept.length === 0) m.delete(k);
    else if (kept.length !== list.length) m.set(k, kept);
  }
}

declare module '../core/stream.ts' {
  interface Stream<T> {
    /**
     * Pairs each element with every element of `other` within `[t - backward, t + forward]`.
     * @example clicks.joinInterval(views, { key: 'user', backward: '5m', forward: '0s' })
     */
    joinInterval<R, O = T & R>(other: Stream<R>, options: JoinIntervalOptions<T, R, O>): Stream<O>;
  }
}

Stream.register(
  'joinInterval',
  function (this: Stream<any>, other: Stream<any>, options: JoinIntervalOptions<any, any, any>) {
    return new JoinIntervalNode(this, other, options);
  },
);
