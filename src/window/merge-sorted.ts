import { both, type Held, hold } from '../core/held.ts';
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
}

interface Entry<T> extends Held<T> {
  t: number;
  seq: number;
}

/**
 * Interleaves several timestamped streams in time order. Elements wait in a heap until every input has moved
 * past them (the watermark: the smallest of the inputs' greatest timestamps, minus `maxLateness`); equal
 * timestamps come out in arrival order. When every input has ended, the rest comes out.
 */
export class MergeSortedNode<T> extends Stream<T> {
  /** What it keeps between elements (`KeepsInput`): an application with state refuses it. */
  readonly keepsInput: string = 'records until every input has one';
  override kind = 'mergeSorted';
  late = 0;
  private readonly readTs: (x: any) => unknown;
  private readonly lateness: number;
  private readonly maxBuffered: number;
  private readonly lateHandler: ((x: T, t: number) => void) | null;
  private readonly heap: Entry<T>[] = [];
  private readonly highs = new Map<Stream<any>, number>();
  private seq = 0;
  private emittedUpTo = Number.NEGATIVE_INFINITY;

  override probe(): NodeProbe {
    const wm = this.emittedUpTo;
    return {
      late: this.late,
      queueDepth: this.heap.length,
      ...(wm > Number.NEGATIVE_INFINITY ? { watermark: wm } : {}),
    };
  }

  constructor(inputs: Stream<T>[], options: MergeSortedOptions<T>) {
    if (inputs.length < 1) badArgument('mergeSorted', 'streams', inputs, 'at least one stream');
    const maxBuffered = options.maxBuffered ?? 100_000;
    requireInteger('mergeSorted', 'maxBuffered', maxBuffered, 1);
    if (options.onLate !== undefined) requireFunction('mergeSorted', 'onLate', options.onLate);
    super({ clock: inputs[0]!.clock });
    const ts = options.timestamp ?? 'timestamp';
    this.readTs = typeof ts === 'string' ? fieldReader(ts) : ts;
    this.lateness = toMillis(options.maxLateness ?? 0, 'mergeSorted: maxLateness');
    this.maxBuffered = maxBuffered;
    this.lateHandler = options.onLate ?? null;
    for (const s of inputs) {
      this.highs.set(s, Number.NEGATIVE_INFINITY);
      s.connect(this);
    }
  }

  override update(x: unknown, who?: Stream<any>, metadata?: Metadata): Pushed {
    const t = toTimestamp(this.readTs(x), this.label());
    if (t < this.emittedUpTo) {
      this.late++;
      this.lateHandler?.(x as T, t);
      return;
    }
    if (who !== undefined && t > (this.highs.get(who) ?? Number.NEGATIVE_INFINITY)) this.highs.set(who, t);
    const e = hold(x as T, metadata) as Entry<T>;
    e.t = t;
    e.seq = this.seq++;
    this.push(e);
    let wm = Number.POSITIVE_INFINITY;
    for (const h of this.highs.values()) if (h < wm) wm = h;
    return this.drain(wm - this.lateness);
  }

  private drain(wm: number): Pushed {
    let r: Pushed = undefined;
    while (this.heap.length > 0 && (this.heap[0]!.t <= wm || this.heap.length > this.maxBuffered)) {
      const e = this.pop();
      this.emittedUpTo = e.t;
      try {
        r = both(r, this.pass(e.x, e.md));
      } finally {
        releaseRefs(e.md);
      }
    }
    return r;
  }

  protected override upstreamEnded(up: Stream<any>): void {
    this.highs.set(up, Number.POSITIVE_INFINITY);
    super.upstreamEnded(up);
  }

  protected override flushOnEnd(): Pushed {
    return this.drain(Number.POSITIVE_INFINITY);
  }

  private less(a: Entry<T>, b: Entry<T>): boolean {
    return a.t < b.t || (a.t === b.t && a.seq < b.seq);
  }

  private push(e: Entry<T>): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Entry<T> {
    const h = this.heap;
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
