import { both } from '../core/held.ts';
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
}

interface Stamped<T> {
  t: number;
  x: T;
}

/**
 * An interval join: every pair of a left element at `t` and a right element in `[t - backward, t + forward]`,
 * with the same key, is emitted once, whichever side arrives second. Each side keeps its elements only while the
 * other side's greatest timestamp says a partner can still come.
 */
export class JoinIntervalNode<L, R, O> extends Stream<O> {
  /** What it keeps between elements (`KeepsInput`): an application with state refuses it. */
  readonly keepsInput: string = "records of both sides within the join's reach";
  override kind = 'joinInterval';
  private readonly left: Stream<L>;
  private readonly readTs: (x: any) => unknown;
  private readonly readKey: (x: any) => unknown;
  private readonly backward: number;
  private readonly forward: number;
  private readonly combine: (l: L, r: R) => O;
  private readonly lefts = new Map<unknown, Stamped<L>[]>();
  private readonly rights = new Map<unknown, Stamped<R>[]>();
  private leftHigh = Number.NEGATIVE_INFINITY;
  private rightHigh = Number.NEGATIVE_INFINITY;

  constructor(left: Stream<L>, right: Stream<R>, options: JoinIntervalOptions<L, R, O>) {
    if (!(right instanceof Stream)) badArgument('joinInterval', 'other', right, 'a Stream');
    if (options === undefined || options.backward === undefined || options.forward === undefined) {
      badArgument('joinInterval', 'options', options, '{ backward, forward } durations');
    }
    super({ clock: left.clock });
    this.backward = toMillis(options.backward, 'joinInterval: backward');
    this.forward = toMillis(options.forward, 'joinInterval: forward');
    const ts = options.timestamp ?? 'timestamp';
    this.readTs = typeof ts === 'string' ? fieldReader(ts) : ts;
    this.readKey = options.key === undefined ? () => null : toKeyFn('joinInterval', options.key);
    this.combine = options.merge ?? ((l: any, r: any) => ({ ...r, ...l }) as O);
    this.left = left;
    left.connect(this);
    right.connect(this);
  }

  override update(x: unknown, who?: Stream<any>, metadata?: Metadata): Pushed {
    const t = toTimestamp(this.readTs(x), this.label());
    const k = hashKey(this.readKey(x));
    let r: Pushed = undefined;
    if (who === this.left) {
      for (const o of this.rights.get(k) ?? []) {
        if (o.t >= t - this.backward && o.t <= t + this.forward)
          r = both(r, this.pass(this.combine(x as L, o.x), metadata));
      }
      add(this.lefts, k, t, x as L);
      if (t > this.leftHigh) this.leftHigh = t;
    } else {
      for (const o of this.lefts.get(k) ?? []) {
        if (t >= o.t - this.backward && t <= o.t + this.forward)
          r = both(r, this.pass(this.combine(o.x, x as R), metadata));
      }
      add(this.rights, k, t, x as R);
      if (t > this.rightHigh) this.rightHigh = t;
    }
    // A left element can still pair only with right elements up to t + forward: once the right side has passed
    // that, it is done (and symmetrically).
    evict(this.lefts, (lt) => lt + this.forward < this.rightHigh - this.backward - this.forward);
    evict(this.rights, (rt) => rt + this.backward < this.leftHigh - this.forward - this.backward);
    return r;
  }
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
