import { badArgument } from '../../errors.ts';
import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  metadataOrigin,
  namespaceOption,
  offsetOf,
  partitionOf,
  restoredMetadata,
} from '../checkpointable.ts';
import { type Held, hold } from '../held.ts';
import { concatMetadata, type Metadata, releaseRefs } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

export interface CombineLatestOptions {
  /** Which inputs trigger an emission: a stream, an input index, or an array of them. Default: every input. */
  emitOn?: Stream<any> | number | readonly (Stream<any> | number)[];
  /** The store namespace of the latest elements when an application checkpoints them. Default: `'combineLatest'`. */
  namespace?: string;
}

/** The latest elements of one input partition (a Kafka partition; 0 outside Kafka), by input order. */
interface Part {
  readonly latest: (Held<unknown> | undefined)[];
  /** How many inputs have an element. */
  filled: number;
  /** Per input: the greatest Kafka offset taken (-1: none), and, after a restore, the one the state covers. */
  readonly high: number[];
  readonly replayed: number[];
  dirty: boolean;
}

/** The store key of a partition's latest elements (one entry). */
const LATEST = 'latest';

/**
 * Keeps the latest element of every input; once each has one, an element on an `emitOn` input emits the array of
 * latest elements, in input order. The latest element of each input stays held; a newer one releases it.
 *
 * Per input partition: for records from Kafka, the latest elements of partition p of each input are combined (two
 * branches of one topic, or co-partitioned topics: an application joins partition p of each).
 * {@link Checkpointable}: the latest elements (JSON values) with their origin go into an application's
 * checkpoints, with the greatest offset taken from each input, so records of the other topics read again after a
 * restore are skipped.
 */
export class CombineLatestNode extends Stream<unknown[]> implements Checkpointable {
  readonly keepsInput: string = 'the latest record of each input';
  override kind = 'combineLatest';
  readonly namespace: string;
  /** The upstream whose input partitions keep the state (the first input): the others' topics join its. */
  readonly stateSide: Stream<any> | undefined;
  private readonly order: Stream<any>[] = [];
  private readonly emitOn: Set<Stream<any>> | null;
  private readonly parts = new Map<number, Part>();
  private last: Part | null = null;
  private lastId = -1;

  constructor(inputs: readonly Stream<any>[], options: CombineLatestOptions) {
    for (const s of inputs) if (!(s instanceof Stream)) badArgument('combineLatest', 'stream', s, 'a Stream');
    const namespace = namespaceOption('combineLatest', options.namespace, 'combineLatest');
    super({ clock: inputs[0]?.clock });
    this.namespace = namespace;
    this.stateSide = inputs[0];
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
    if (this.order.includes(up)) return;
    this.order.push(up);
    for (const p of this.parts.values()) {
      p.latest.push(undefined);
      p.high.push(-1);
      p.replayed.push(-1);
    }
  }

  protected override upstreamRemoved(up: Stream<any>): void {
    const i = this.order.indexOf(up);
    if (i < 0) return;
    this.order.splice(i, 1);
    for (const p of this.parts.values()) {
      const old = p.latest.splice(i, 1)[0];
      if (old !== undefined) {
        releaseRefs(old.md);
        p.filled--;
      }
      p.high.splice(i, 1);
      p.replayed.splice(i, 1);
    }
  }

  private part(id: number): Part {
    if (id === this.lastId && this.last !== null) return this.last;
    let p = this.parts.get(id);
    if (p === undefined) {
      const n = this.order.length;
      p = {
        latest: new Array(n).fill(undefined),
        filled: 0,
        high: new Array(n).fill(-1),
        replayed: new Array(n).fill(-1),
        dirty: false,
      };
      this.parts.set(id, p);
    }
    this.last = p;
    this.lastId = id;
    return p;
  }

  override update(x: unknown, who?: Stream<any>, metadata?: Metadata): Pushed {
    const i = who === undefined ? -1 : this.order.indexOf(who);
    if (i < 0) return;
    const p = this.part(partitionOf(metadata));
    const offset = offsetOf(metadata);
    if (offset >= 0) {
      if (offset <= p.replayed[i]!) return; // read again after a restore: already in the state, or combined
      if (offset > p.high[i]!) p.high[i] = offset;
    }
    p.dirty = true;
    const old = p.latest[i];
    p.latest[i] = hold(x, metadata);
    if (old !== undefined) releaseRefs(old.md);
    else p.filled++;
    if (p.filled < p.latest.length) return;
    if (this.emitOn !== null && !this.emitOn.has(who!)) return;
    const held = p.latest as Held<unknown>[];
    return this.pass(
      held.map((h) => h.x),
      concatMetadata(held.map((h) => h.md)),
    );
  }

  /** Writes the latest elements of each partition that changed, with the greatest offset taken from each input. */
  checkpoint(writer: CheckpointWriter): void {
    for (const [id, p] of this.parts) {
      if (!p.dirty) continue;
      p.dirty = false;
      writer.set(this.namespace, id, LATEST, {
        inputs: p.latest.map((h, i) => ({
          high: p.high[i],
          latest: h === undefined ? null : { x: h.x, from: metadataOrigin(h.md) },
        })),
      });
    }
  }

  /** Takes back the latest elements of `partition` (by input order); they keep their origin. */
  restorePartition(reader: CheckpointReader, partition: number): void {
    this.dropPartition(partition);
    for (const [k, v] of reader.entries(this.namespace, partition)) {
      if (k !== LATEST) continue;
      const e = v as {
        inputs: { high: number; latest: { x: unknown; from: { partition: number; key: string | null } } | null }[];
      };
      const p = this.part(partition);
      e.inputs.forEach((q, i) => {
        if (i >= p.latest.length) return;
        p.high[i] = p.replayed[i] = q.high;
        if (q.latest === null) return;
        p.latest[i] = { x: q.latest.x, md: restoredMetadata(q.latest.from) };
        p.filled++;
      });
    }
  }

  dropPartition(partition: number): void {
    const p = this.parts.get(partition);
    if (p === undefined) return;
    for (const h of p.latest) if (h !== undefined) releaseRefs(h.md);
    this.parts.delete(partition);
    this.last = null;
    this.lastId = -1;
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
  }
}

Stream.register('combineLatest', function combineLatest(this: Stream<any>, ...args: unknown[]) {
  const [others, options] = splitOptions(args);
  return new CombineLatestNode([this, ...others], options);
});
