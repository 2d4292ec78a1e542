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
import { type Held, hold } from '../held.ts';
import { InputOffsets } from '../input-offsets.ts';
import { InputPartitions } from '../input-partitions.ts';
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
  /** The greatest Kafka offset taken from each input, and after a restore the one the state covers. */
  readonly offsets: InputOffsets;
  dirty: boolean;
}

/** What a checkpoint holds for a partition, per input (by input order). */
type Saved = {
  inputs: { high: number; latest: { x: unknown; from: { partition: number; key: string | null } } | null }[];
};

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
  private readonly parts = new InputPartitions<Part>({
    key: 'latest',
    make: () => {
      const n = this.order.length;
      return {
        latest: new Array(n).fill(undefined),
        filled: 0,
        offsets: new InputOffsets(n),
        dirty: false,
      };
    },
    save: (p): Saved => ({
      inputs: p.latest.map((h, i) => ({
        high: p.offsets.taken[i]!,
        latest: h === undefined ? null : { x: h.x, from: metadataOrigin(h.md) },
      })),
    }),
    load: (p, saved: Saved) => {
      saved.inputs.forEach((q, i) => {
        if (i >= p.latest.length) return;
        p.offsets.restore(i, q.high);
        if (q.latest === null) return;
        p.latest[i] = { x: q.latest.x, md: restoredMetadata(q.latest.from) };
        p.filled++;
      });
    },
    release: (p) => {
      for (const h of p.latest) if (h !== undefined) releaseRefs(h.md);
    },
  });

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
      p.offsets.add();
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
      p.offsets.remove(i);
    }
  }

  override update(x: unknown, who?: Stream<any>, metadata?: Metadata): Pushed {
    const i = who === undefined ? -1 : this.order.indexOf(who);
    if (i < 0) return;
    const p = this.parts.get(partitionOf(metadata));
    if (!p.offsets.take(i, metadata)) return; // read again after a restore: already in the state, or combined
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
    this.parts.checkpoint(writer, this.namespace);
  }

  /** Takes back the latest elements of `partition` (by input order); they keep their origin. */
  restorePartition(reader: CheckpointReader, partition: number): void {
    this.parts.restore(reader, this.namespace, partition);
  }

  dropPartition(partition: number): void {
    this.parts.drop(partition);
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
