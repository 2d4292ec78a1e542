import { badArgument } from '../../errors.ts';
import { type Held, hold } from '../held.ts';
import { concatMetadata, type Metadata, releaseRefs } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

export interface CombineLatestOptions {
  /** Which inputs trigger an emission: a stream, an input index, or an array of them. Default: every input. */
  emitOn?: Stream<any> | number | readonly (Stream<any> | number)[];
}

/**
 * Keeps the latest element of every input; once each has one, an element on an `emitOn` input emits the array of
 * latest elements, in input order. The latest element of each input stays held; a newer one releases it.
 */
export class CombineLatestNode extends Stream<unknown[]> {
  /** What it keeps between elements (`KeepsInput`): an application with state refuses it. */
  readonly keepsInput: string = 'the latest record of each input';
  override kind = 'combineLatest';
  private readonly order: Stream<any>[] = [];
  private readonly latestOf = new Map<Stream<any>, Held<unknown>>();
  private readonly emitOn: Set<Stream<any>> | null;

  constructor(inputs: readonly Stream<any>[], options: CombineLatestOptions) {
    for (const s of inputs) if (!(s instanceof Stream)) badArgument('combineLatest', 'stream', s, 'a Stream');
    super({ clock: inputs[0]?.clock });
    let emitOn: Set<Stream<any>> | null = null;
    if (options.emitOn !== undefined) {
      const list = Array.isArray(options.emitOn) ? options.emitOn : [options.emitOn];
      emitOn = new Set(
        list.map((e: Stream<any> | number) => {
          const s = typeof e === 'number' ? inputs[e] : e;
          if (!(s instanceof Stream) || !inputs.includes(s)) {
            badArgument('combineLatest', 'emitOn', e, 'one of the input streams or its index');
          }
          return s;
        }),
      );
    }
    this.emitOn = emitOn;
    for (const s of inputs) s.connect(this);
  }

  protected override upstreamAdded(up: Stream<any>): void {
    if (!this.order.includes(up)) this.order.push(up);
  }

  protected override upstreamRemoved(up: Stream<any>): void {
    const i = this.order.indexOf(up);
    if (i >= 0) this.order.splice(i, 1);
    const old = this.latestOf.get(up);
    if (old !== undefined) releaseRefs(old.md);
    this.latestOf.delete(up);
  }

  override update(x: unknown, who?: Stream<any>, metadata?: Metadata): Pushed {
    if (who === undefined || !this.order.includes(who)) return;
    const old = this.latestOf.get(who);
    this.latestOf.set(who, hold(x, metadata));
    if (old !== undefined) releaseRefs(old.md);
    if (this.latestOf.size < this.order.length) return;
    if (this.emitOn !== null && !this.emitOn.has(who)) return;
    const held = this.order.map((s) => this.latestOf.get(s)!);
    return this.pass(
      held.map((h) => h.x),
      concatMetadata(held.map((h) => h.md)),
    );
  }
}

/**
 * Like combineLatest, but the first input is lossless: each of its elements is emitted exactly once, with the
 * latest elements of the others (waiting, in order, until all the others have one).
 */
export class ZipLatestNode extends Stream<unknown[]> {
  /** What it keeps between elements (`KeepsInput`): an application with state refuses it. */
  readonly keepsInput: string = 'the latest record of each input';
  override kind = 'zipLatest';
  private readonly lossless: Stream<any>;
  private readonly order: Stream<any>[] = [];
  private readonly latestOf = new Map<Stream<any>, Held<unknown>>();
  private readonly pending: Held<unknown>[] = [];

  constructor(inputs: readonly Stream<any>[]) {
    for (const s of inputs) if (!(s instanceof Stream)) badArgument('zipLatest', 'stream', s, 'a Stream');
    super({ clock: inputs[0]?.clock });
    this.lossless = inputs[0]!;
    for (const s of inputs) s.connect(this);
  }

  protected override upstreamAdded(up: Stream<any>): void {
    if (!this.order.includes(up)) this.order.push(up);
  }

  override update(x: unknown, who?: Stream<any>, metadata?: Metadata): Pushed {
    if (who === this.lossless) {
      this.pending.push(hold(x, metadata));
    } else if (who !== undefined) {
      const old = this.latestOf.get(who);
      this.latestOf.set(who, hold(x, metadata));
      if (old !== undefined) releaseRefs(old.md);
    }
    if (this.latestOf.size < this.order.length - 1) return;
    let pending: Promise<void>[] | undefined;
    for (let item = this.pending.shift(); item !== undefined; item = this.pending.shift()) {
      const others = this.order.slice(1).map((s) => this.latestOf.get(s)!);
      try {
        const r = this.pass([item.x, ...others.map((h) => h.x)], concatMetadata([item.md, ...others.map((h) => h.md)]));
        if (r !== undefined) (pending ??= []).push(r);
      } finally {
        releaseRefs(item.md);
      }
    }
    if (pending !== undefined) return Promise.all(pending).then(() => undefined);
  }
}

function splitOptions(args: unknown[]): [Stream<any>[], CombineLatestOptions] {
  const last = args[args.length - 1];
  if (last !== undefined && !(last instanceof Stream) && typeof last === 'object' && last !== null) {
    return [args.slice(0, -1) as Stream<any>[], last as CombineLatestOptions];
  }
  return [args as Stream<any>[], {}];
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Emits the latest element of every input as an array whenever an input (or an `emitOn` input) emits.
     * @example temperature.combineLatest(setpoint, { emitOn: temperature })
     */
    combineLatest(...others: (Stream<any> | CombineLatestOptions)[]): Stream<unknown[]>;
    /**
     * Emits every element of this stream with the latest elements of the others.
     * @example readings.zipLatest(calibration)
     */
    zipLatest(...others: Stream<any>[]): Stream<unknown[]>;
  }
}

Stream.register('combineLatest', function combineLatest(this: Stream<any>, ...args: unknown[]) {
  const [others, options] = splitOptions(args);
  return new CombineLatestNode([this, ...others], options);
});
Stream.register('zipLatest', function zipLatest(this: Stream<any>, ...others: Stream<any>[]) {
  return new ZipLatestNode([this, ...others]);
});
