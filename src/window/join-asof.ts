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
  /** How long a left element waits for the right side to reach its timestamp; right elements are kept that long
   * behind the left side too. Default 0: join with what has arrived. */
  grace?: Duration;
  /** `'inner'` (default) drops a left element with no right element at or before it; `'left'` emits it alone. */
  how?: 'inner' | 'left';
  /** Builds the output. Default: the fields of both, the left one's winning (`{ ...right, ...left }`). */
  merge?: (left: L, right: R | undefined) => O;
}

interface Stamped<T> {
  t: number;
  x: T;
}

/**
 * Joins each element of the left stream with the latest element of the right stream at or before its
 * timestamp (pandas' `merge_asof`, Quix's `join_asof`), per key.
 */
export class JoinAsofNode<L, R, O> extends Stream<O> {
  /** What it keeps between elements (`KeepsInput`): an application with state refuses it. */
  readonly keepsInput: string = "records of both sides within the join's reach";
  override kind = 'joinAsof';
  private readonly left: Stream<L>;
  private readonly readTs: (x: any) => unknown;
  private readonly readKey: (x: any) => unknown;
  private readonly grace: number;
  private readonly how: 'inner' | 'left';
  private readonly combine: (l: L, r: R | undefined) => O;
  private readonly rights = new Map<unknown, Stamped<R>[]>();
  private pending: (Held<L> & { t: number; k: unknown })[] = [];
  private rightHigh = Number.NEGATIVE_INFINITY;
  private leftHigh = Number.NEGATIVE_INFINITY;

  constructor(left: Stream<L>, right: Stream<R>, options: JoinAsofOptions<L, R, O>) {
    if (!(right instanceof Stream)) badArgument('joinAsof', 'other', right, 'a Stream');
    const how = options.how ?? 'inner';
    if (how !== 'inner' && how !== 'left') badArgument('joinAsof', 'how', how, "'inner' or 'left'");
    super({ clock: left.clock });
    const ts = options.timestamp ?? 'timestamp';
    this.readTs = typeof ts === 'string' ? fieldReader(ts) : ts;
    this.readKey = options.key === undefined ? () => null : toKeyFn('joinAsof', options.key);
    this.grace = toMillis(options.grace ?? 0, 'joinAsof: grace');
    this.how = how;
    this.combine = options.merge ?? ((l: any, r: any) => ({ ...r, ...l }) as O);
    this.left = left;
    left.connect(this);
    right.connect(this);
  }

  override update(x: unknown, who?: Stream<any>, metadata?: Metadata): Pushed {
    const t = toTimestamp(this.readTs(x), this.label());
    const k = hashKey(this.readKey(x));
    if (who === this.left) {
      if (t > this.leftHigh) this.leftHigh = t;
      this.pending.push({ ...hold(x as L, metadata), t, k });
    } else {
      let list = this.rights.get(k);
      if (list === undefined) this.rights.set(k, (list = []));
      let i = list.length;
      while (i > 0 && list[i - 1]!.t > t) i--;
      list.splice(i, 0, { t, x: x as R });
      if (t > this.rightHigh) this.rightHigh = t;
    }
    return this.resolve(false);
  }

  /** Emits the left elements whose right side is settled (or that waited out the grace). */
  private resolve(all: boolean): Pushed {
    let r: Pushed = undefined;
    const limit = this.leftHigh - this.grace;
    const keep: typeof this.pending = [];
    for (const p of this.pending) {
      if (!all && p.t > this.rightHigh && p.t > limit) {
        keep.push(p);
        continue;
      }
      const list = this.rights.get(p.k);
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
    this.pending = keep;
    // Right elements older than the one that answers the oldest possible question are never needed again.
    const oldest = Math.min(limit, ...keep.map((p) => p.t));
    for (const list of this.rights.values()) {
      let drop = 0;
      while (drop + 1 < list.length && list[drop + 1]!.t <= oldest) drop++;
      if (drop > 0) list.splice(0, drop);
    }
    return r;
  }

  protected override flushOnEnd(): Pushed {
    return this.resolve(true);
  }
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
