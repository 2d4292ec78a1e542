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
import { fieldReader, hashKey, type KeySpec, toKeyFn } from '../core/key.ts';
import { concatMetadata, type Metadata, releaseRefs } from '../core/refcount.ts';
import { type Pushed, Stream } from '../core/stream.ts';
import { badArgument } from '../errors.ts';
import { type Duration, toMillis } from '../time/duration.ts';
import { type Extractor, toTimestamp } from './timestamp.ts';

export interface JoinAsofOptions<L, R, O> {
  /** Event time of both sides: a function or a field name. Default: the `timestamp` field. */
  timestamp?: Extractor<L | R>;
  /** Join only elements with the same key. Default: one key. */
  key?: KeySpec<L | R>;
  /** Quix Streams' name of `key`. */
  on?: KeySpec<L | R>;
  /** How long a left element waits for the right side to reach its timestamp; right elements are kept that long
   * behind the left side too. Default 0: join with what has arrived. */
  grace?: Duration;
  /** `'inner'` (default) drops a left element with no right element at or before it; `'left'` emits it alone. */
  how?: 'inner' | 'left';
  /** Builds the output. Default: the fields of both, the left one's winning (`{ ...right, ...left }`). */
  merge?: (left: L, right: R | undefined) => O;
  /** The store namespace of the join's state when an application checkpoints it. Default: `'joinAsof'`. */
  namespace?: string;
}

interface Stamped<T> {
  t: number;
  x: T;
}

type Pending<L> = Held<L> & { t: number; k: unknown };

/** The join's state for one input partition (a Kafka partition; 0 outside Kafka). */
class AsofPart<L, R> {
  readonly rights = new Map<unknown, Stamped<R>[]>();
  pending: Pending<L>[] = [];
  rightHigh = Number.NEGATIVE_INFINITY;
  leftHigh = Number.NEGATIVE_INFINITY;
  dirty = false;
}

/** The store key of a partition's join state (one entry: it is small, bounded by the grace). */
const JOIN = 'join';

/**
 * Joins each element of the left stream with the latest element of the right stream at or before its
 * timestamp (pandas' `merge_asof`, Quix's `join_asof`), per key and per input partition (the left and right
 * records of a Kafka partition join each other). {@link Checkpointable}: the left elements waiting and the right
 * elements kept go into an application's checkpoints (JSON values).
 */
export class JoinAsofNode<L, R, O> extends Stream<O> implements Checkpointable {
  readonly keepsInput = "records of both sides within the join's reach";
  override kind = 'joinAsof';
  readonly namespace: string;
  private readonly left: Stream<L>;
  /**
   * The upstream whose input partitions keep the join's state (the left: its waiting elements are left ones). An
   * application joining two topics keeps the state with the left topic's partitions, the right topic's wait.
   */
  readonly stateSide: Stream<L>;
  private readonly readTs: (x: any) => unknown;
  private readonly readKey: (x: any) => unknown;
  private readonly grace: number;
  private readonly how: 'inner' | 'left';
  private readonly combine: (l: L, r: R | undefined) => O;
  private readonly parts = new Map<number, AsofPart<L, R>>();

  constructor(left: Stream<L>, right: Stream<R>, options: JoinAsofOptions<L, R, O>) {
    if (!(right instanceof Stream)) badArgument('joinAsof', 'other', right, 'a Stream');
    const how = options.how ?? 'inner';
    if (how !== 'inner' && how !== 'left') badArgument('joinAsof', 'how', how, "'inner' or 'left'");
    const namespace = namespaceOption('joinAsof', options.namespace, 'joinAsof');
    super({ clock: left.clock });
    this.namespace = namespace;
    const ts = options.timestamp ?? 'timestamp';
    this.readTs = typeof ts === 'string' ? fieldReader(ts) : ts;
    const key = options.key ?? options.on;
    this.readKey = key === undefined ? () => null : toKeyFn('joinAsof', key);
    this.grace = toMillis(options.grace ?? 0, 'joinAsof: grace');
    this.how = how;
    this.combine = options.merge ?? (defaultMerge as (l: L, r: R | undefined) => O);
    this.left = left;
    this.stateSide = left;
    left.connect(this);
    right.connect(this);
  }

  override update(x: unknown, who?: Stream<any>, metadata?: Metadata): Pushed {
    const t = toTimestamp(this.readTs(x), this.label());
    const k = hashKey(this.readKey(x));
    const part = this.partFor(partitionOf(metadata));
    part.dirty = true;
    if (who === this.left) {
      if (t > part.leftHigh) part.leftHigh = t;
      part.pending.push({ ...hold(x as L, metadata), t, k });
    } else {
      let list = part.rights.get(k);
      if (list === undefined) part.rights.set(k, (list = []));
      let i = list.length;
      while (i > 0 && list[i - 1]!.t > t) i--;
      list.splice(i, 0, { t, x: x as R });
      if (t > part.rightHigh) part.rightHigh = t;
    }
    return this.resolve(part, false);
  }

  private partFor(id: number): AsofPart<L, R> {
    let p = this.parts.get(id);
    if (p === undefined) this.parts.set(id, (p = new AsofPart()));
    return p;
  }

  /** Emits the left elements whose right side is settled (or that waited out the grace). */
  private resolve(part: AsofPart<L, R>, all: boolean): Pushed {
    let r: Pushed = undefined;
    const limit = part.leftHigh - this.grace;
    const keep: Pending<L>[] = [];
    for (const p of part.pending) {
      if (!all && p.t > part.rightHigh && p.t > limit) {
        keep.push(p);
        continue;
      }
      const list = part.rights.get(p.k);
      let match: Stamped<R> | undefined;
      if (list !== undefined)
        for (let i = list.length - 1; i >= 0; i--)
          if (list[i]!.t <= p.t) {
            match = list[i];
            break;
          }
      try {
        if (match !== undefined || this.how === 'left')
          r = both(r, this.pass(this.combine(p.x, match?.x), concatMetadata([p.md])));
      } finally {
        releaseRefs(p.md);
      }
    }
    part.pending = keep;
    // Right elements older than the one that answers the oldest possible question are never needed again.
    const oldest = Math.min(limit, ...keep.map((p) => p.t));
    for (const list of part.rights.values()) {
      let drop = 0;
      while (drop + 1 < list.length && list[drop + 1]!.t <= oldest) drop++;
      if (drop > 0) list.splice(0, drop);
    }
    return r;
  }

  protected override flushOnEnd(): Pushed {
    let r: Pushed = undefined;
    for (const part of this.parts.values()) r = both(r, this.resolve(part, true));
    return r;
  }

  /** Writes the state of each partition that changed: the left elements waiting, the right ones kept. */
  checkpoint(writer: CheckpointWriter): void {
    for (const [id, part] of this.parts) {
      if (!part.dirty) continue;
      part.dirty = false;
      writer.set(this.namespace, id, JOIN, {
        leftHigh: finite(part.leftHigh),
        rightHigh: finite(part.rightHigh),
        pending: part.pending.map((p) => ({ t: p.t, k: p.k ?? null, x: p.x, from: metadataOrigin(p.md) })),
        rights: [...part.rights].map(([k, list]) => [k ?? null, list]),
      });
    }
  }

  /** Takes back the state of `partition`; the waiting left elements keep their origin (partition and key). */
  restorePartition(reader: CheckpointReader, partition: number): void {
    this.dropPartition(partition);
    for (const [k, v] of reader.entries(this.namespace, partition)) {
      if (k !== JOIN) continue;
      const e = v as {
        leftHigh: number | null;
        rightHigh: number | null;
        pending: { t: number; k: unknown; x: L; from: { partition: number; key: string | null } }[];
        rights: [unknown, Stamped<R>[]][];
      };
      const part = this.partFor(partition);
      part.leftHigh = e.leftHigh ?? Number.NEGATIVE_INFINITY;
      part.rightHigh = e.rightHigh ?? Number.NEGATIVE_INFINITY;
      part.pending = e.pending.map((p) => ({ x: p.x, md: restoredMetadata(p.from), t: p.t, k: p.k }));
      for (const [key, list] of e.rights) part.rights.set(key, list);
    }
  }

  dropPartition(partition: number): void {
    const part = this.parts.get(partition);
    if (part === undefined) return;
    for (const p of part.pending) releaseRefs(p.md);
    this.parts.delete(partition);
  }
}

/**
 * The fields of both, the left one's winning; for two Kafka records (a join of topics), the left record with the
 * fields of both values.
 */
function defaultMerge(l: any, r: any): unknown {
  if (isRecordLike(l) && (r === undefined || isRecordLike(r))) return { ...l, value: { ...r?.value, ...l.value } };
  return { ...r, ...l };
}

function isRecordLike(x: unknown): x is { value: object } {
  return x !== null && typeof x === 'object' && 'topic' in x && 'offset' in x && 'partition' in x && 'value' in x;
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

declare module '../core/stream.ts' {
  interface Stream<T> {
    /**
     * Joins each element with the latest element of `other` at or before its timestamp.
     * @example trades.joinAsof(quotes, { key: 'symbol', timestamp: 'ts', grace: '1s' })
     */
    joinAsof<R, O = T & R>(other: Stream<R>, options?: JoinAsofOptions<T, R, O>): Stream<O>;
  }
}

Stream.register(
  'joinAsof',
  function (this: Stream<any>, other: Stream<any>, options: JoinAsofOptions<any, any, any> = {}) {
    return new JoinAsofNode(this, other, options);
  },
);
