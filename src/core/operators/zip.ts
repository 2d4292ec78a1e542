import { requireInteger, TwinstreamError } from '../../errors.ts';
import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  metadataOrigin,
  namespaceOption,
  partitionOf,
  restoredMetadata,
} from '../checkpointable.ts';
import { type Held, hold, releaseAll } from '../held.ts';
import { InputOffsets } from '../input-offsets.ts';
import { InputPartitions } from '../input-partitions.ts';
import { concatMetadata, type Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

interface Input {
  readonly items: Held<unknown>[];
  // Emitters whose element made this input exceed maxsize; they resume when the zip next emits.
  waiting: (() => void)[];
}

/** The queues of one input partition (a Kafka partition; 0 outside Kafka), one per input, in input order. */
interface Part {
  readonly inputs: Input[];
  /** The greatest Kafka offset taken from each input, and after a restore the one the state covers. */
  readonly offsets: InputOffsets;
  dirty: boolean;
}

/** What a checkpoint holds for a partition: at most `maxsize` elements per input, plus one. */
type Saved = { inputs: { high: number; items: { x: unknown; from: { partition: number; key: string | null } }[] }[] };

type Slot = { input: number } | { literal: unknown };

export interface ZipOptions {
  /** How many elements an input may hold before its emitter has to wait for the zip to emit. Default 10. */
  maxsize?: number;
  /** The store namespace of the elements held when an application checkpoints them. Default: `'zip'`. */
  namespace?: string;
}

/**
 * Emits an array with one element from each input once every input has one (first in, first out per input).
 * Literal values fill their slot every time. The same stream given twice fills both slots from one element.
 *
 * Per input partition: for records from Kafka, the elements of partition p of each input are zipped together (two
 * branches of one topic, or two co-partitioned topics: an application joins partition p of each). The output
 * carries the metadata of every element zipped, the first input's first. {@link Checkpointable}: the elements
 * queued (JSON values) with their origin go into an application's checkpoints, with the greatest offset taken
 * from each input, so records of the other topics read again after a restore are skipped.
 */
export class ZipNode extends Stream<unknown[]> implements Checkpointable {
  readonly keepsInput: string = 'records until every input has one';
  override kind = 'zip';
  readonly namespace: string;
  /** The upstream whose input partitions keep the state (the first input): the others' topics join its. */
  readonly stateSide: Stream<any> | undefined;
  private readonly slots: Slot[] = [];
  private readonly ups: Stream<any>[] = [];
  private readonly parts = new InputPartitions<Part>({
    key: 'queues',
    make: () => {
      const n = this.ups.length;
      return {
        inputs: this.ups.map(newInput),
        offsets: new InputOffsets(n),
        dirty: false,
      };
    },
    save: (p): Saved => ({
      inputs: p.inputs.map((q, i) => ({
        high: p.offsets.taken[i]!,
        items: q.items.map((h) => ({ x: h.x, from: metadataOrigin(h.md) })),
      })),
    }),
    load: (p, saved: Saved) => {
      saved.inputs.forEach((q, i) => {
        const input = p.inputs[i];
        if (input === undefined) return;
        p.offsets.restore(i, q.high);
        for (const it of q.items) input.items.push({ x: it.x, md: restoredMetadata(it.from) });
      });
    },
    release: (p) => {
      for (const q of p.inputs) {
        releaseAll(q.items);
        for (const resolve of q.waiting) resolve();
      }
    },
  });
  private readonly maxsize: number;
  /** Set by `failWhenFull`: what an input past `maxsize` calls instead of waiting. */
  private overflow: ((error: TwinstreamError) => void) | null = null;

  constructor(parts: readonly unknown[], options: ZipOptions = {}) {
    const maxsize = options.maxsize ?? 10;
    requireInteger('zip', 'maxsize', maxsize, 1);
    const namespace = namespaceOption('zip', options.namespace, 'zip');
    const first = parts.find((p) => p instanceof Stream) as Stream<any> | undefined;
    super({ clock: first?.clock });
    this.namespace = namespace;
    this.maxsize = maxsize;
    this.stateSide = first;
    for (const p of parts) {
      if (!(p instanceof Stream)) {
        this.slots.push({ literal: p });
        continue;
      }
      let i = this.ups.indexOf(p);
      if (i < 0) i = this.ups.push(p) - 1;
      this.slots.push({ input: i });
    }
    for (const s of this.ups) s.connect(this);
  }

  protected override upstreamAdded(up: Stream<any>): void {
    if (this.ups.includes(up)) return;
    this.slots.push({ input: this.ups.push(up) - 1 });
    for (const p of this.parts.values()) {
      p.inputs.push(newInput());
      p.offsets.add();
    }
  }

  protected override upstreamRemoved(up: Stream<any>): void {
    const i = this.ups.indexOf(up);
    if (i < 0) return;
    this.ups.splice(i, 1);
    for (const p of this.parts.values()) {
      releaseAll(p.inputs.splice(i, 1)[0]!.items);
      p.offsets.remove(i);
    }
    for (let s = this.slots.length - 1; s >= 0; s--) {
      const slot = this.slots[s]!;
      if (!('input' in slot)) continue;
      if (slot.input === i) this.slots.splice(s, 1);
      else if (slot.input > i) this.slots[s] = { input: slot.input - 1 };
    }
  }

  override update(x: unknown, who?: Stream<any>, metadata?: Metadata): Pushed {
    const i = who === undefined ? -1 : this.ups.indexOf(who);
    if (i < 0) return;
    const part = this.parts.get(partitionOf(metadata));
    if (!part.offsets.take(i, metadata)) return; // read again after a restore: already in the state, or zipped
    part.dirty = true;
    const input = part.inputs[i]!;
    input.items.push(hold(x, metadata));
    const inputs = part.inputs;
    for (let j = 0; j < inputs.length; j++) {
      if (inputs[j]!.items.length === 0) {
        if (input.items.length <= this.maxsize) return;
        if (this.overflow !== null) return this.overflow(this.overflowError(i, j, partitionOf(metadata)));
        return new Promise<void>((resolve) => input.waiting.push(resolve));
      }
    }
    const held = inputs.map((q) => q.items.shift()!);
    const tuple = this.slots.map((s) => ('input' in s ? held[s.input]!.x : s.literal));
    for (const q of inputs) {
      const w = q.waiting;
      q.waiting = [];
      for (const resolve of w) resolve();
    }
    try {
      return this.pass(tuple, concatMetadata(held.map((h) => h.md)));
    } finally {
      releaseAll(held);
    }
  }

  /**
   * @internal Called by an owner whose one source feeds every input (a Kafka application's consumer): an input past
   * `maxsize` cannot wait for the others, as their records wait behind it in that source. It calls `fail` instead
   * (the owner stops with that error) and keeps the element.
   */
  failWhenFull(fail: (error: TwinstreamError) => void): void {
    this.overflow = fail;
  }

  private overflowError(ahead: number, empty: number, partition: number): TwinstreamError {
    const label = (k: number) => {
      const up = this.ups[k]!;
      return `input ${k + 1}${up.name === undefined ? '' : ` ("${up.name}")`}`;
    };
    return new TwinstreamError(
      'TS_ZIP_OVERFLOW',
      `${this.label()}: ${label(ahead)} holds ${this.maxsize + 1} elements of partition ${partition} while ${label(empty)} has none, more than maxsize ${this.maxsize}; ` +
        'one consumer reads every input, so it cannot wait for the other input to catch up. Give the zip a maxsize above how far one input can run ahead of the other: zip([left, right], { maxsize: 100_000 })',
      { context: { node: this.label(), maxsize: this.maxsize, partition } },
    );
  }

  /** Writes the queues of each partition that changed, with the greatest offset taken from each input. */
  checkpoint(writer: CheckpointWriter): void {
    this.parts.checkpoint(writer, this.namespace);
  }

  /** Takes back the queues of `partition` (by input order); their elements keep their origin. */
  restorePartition(reader: CheckpointReader, partition: number): void {
    this.parts.restore(reader, this.namespace, partition);
  }

  dropPartition(partition: number): void {
    this.parts.drop(partition);
  }
}

function newInput(): Input {
  return { items: [], waiting: [] };
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Pairs this stream's elements with other streams' (in order), as arrays; literals fill fixed slots.
     * @example a.zip(b) // a: 1, 2; b: 'x', 'y' -> [1, 'x'], [2, 'y']
     */
    zip(...others: unknown[]): Stream<unknown[]>;
  }
}

Stream.register('zip', function zip(this: Stream<any>, ...others: unknown[]) {
  return new ZipNode([this, ...others]);
});

/**
 * Zips streams (and literals) with options.
 * @example zip([a, b], { maxsize: 100 })
 */
export function zip(parts: readonly unknown[], options: ZipOptions = {}): Stream<unknown[]> {
  return new ZipNode(parts, options);
}
