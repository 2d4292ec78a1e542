import { badArgument } from '../../errors.ts';
import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  namespaceOption,
  partitionOf,
} from '../checkpointable.ts';
import { hashKey, type KeySpec, toKeyFn } from '../key.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

export interface UniqueOptions<T> {
  /** How many recent keys to remember (least recently seen forgotten first). Default: all of them (unbounded). */
  maxsize?: number;
  /** What makes two elements the same: a function, a field name or an index. Default: the element, by value. */
  key?: KeySpec<T>;
  /** The store namespace of the keys seen when an application checkpoints them. Default: `'unique'`. */
  namespace?: string;
}

/** The keys seen in one input partition (a Kafka partition; 0 outside Kafka). */
class Seen {
  // A Map keeps insertion order: re-inserting a key on every sighting makes it an LRU. The value is the sighting's
  // number, so a restore puts the keys back in that order.
  readonly keys = new Map<unknown, number>();
  /** Keys seen or forgotten since the last checkpoint. */
  readonly touched = new Set<unknown>();
}

/**
 * Passes an element only if its key is not among the remembered ones; keys compare by value. Per input partition
 * for records from Kafka; {@link Checkpointable} (one entry per key remembered, JSON keys).
 */
export class UniqueNode<T> extends Stream<T> implements Checkpointable {
  readonly keepsInput = 'the elements seen';
  override kind = 'unique';
  readonly namespace: string;
  private readonly keyOf: (x: T) => unknown;
  private readonly maxsize: number;
  private readonly parts = new Map<number, Seen>();
  private last: Seen | null = null;
  private lastId = -1;
  private sighting = 0;

  constructor(upstream: Stream<T>, options: UniqueOptions<T>) {
    const maxsize = options.maxsize ?? Number.POSITIVE_INFINITY;
    if (!(maxsize === Number.POSITIVE_INFINITY || (Number.isInteger(maxsize) && maxsize >= 1))) {
      badArgument('unique', 'maxsize', options.maxsize, 'an integer >= 1, or nothing for no limit');
    }
    const keyOf = toKeyFn('unique', options.key);
    const namespace = namespaceOption('unique', options.namespace, 'unique');
    super({ clock: upstream.clock });
    this.namespace = namespace;
    this.keyOf = keyOf;
    this.maxsize = maxsize;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const k = hashKey(this.keyOf(x as T));
    const part = this.partFor(partitionOf(metadata));
    const seen = part.keys;
    const known = seen.delete(k);
    seen.set(k, ++this.sighting);
    part.touched.add(k);
    if (known) return;
    if (seen.size > this.maxsize) {
      const oldest = seen.keys().next().value;
      seen.delete(oldest);
      part.touched.add(oldest);
    }
    return this.pass(x as T, metadata);
  }

  private partFor(id: number): Seen {
    if (id === this.lastId && this.last !== null) return this.last;
    let p = this.parts.get(id);
    if (p === undefined) this.parts.set(id, (p = new Seen()));
    this.last = p;
    this.lastId = id;
    return p;
  }

  /** Writes the keys seen (with their sighting) or forgotten since the last call. */
  checkpoint(writer: CheckpointWriter): void {
    for (const [id, part] of this.parts) {
      for (const k of part.touched) {
        const at = part.keys.get(k);
        const key = JSON.stringify([k ?? null]);
        if (at === undefined) writer.delete(this.namespace, id, key);
        else writer.set(this.namespace, id, key, at);
      }
      part.touched.clear();
    }
  }

  restorePartition(reader: CheckpointReader, partition: number): void {
    this.dropPartition(partition);
    const entries: [unknown, number][] = [];
    for (const [k, at] of reader.entries(this.namespace, partition)) {
      entries.push([(JSON.parse(k) as [unknown])[0], at as number]);
    }
    entries.sort((a, b) => a[1] - b[1]);
    const part = this.partFor(partition);
    for (const [k, at] of entries) {
      part.keys.set(k, at);
      if (at > this.sighting) this.sighting = at;
    }
  }

  dropPartition(partition: number): void {
    this.parts.delete(partition);
    this.last = null;
    this.lastId = -1;
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Drops elements whose key was seen recently (among the last `maxsize` distinct keys).
     * @example source.unique({ key: (r) => r.id, maxsize: 1000 })
     */
    unique(options?: UniqueOptions<T>): Stream<T>;
  }
}

Stream.register('unique', function unique(this: Stream<any>, options: UniqueOptions<any> = {}) {
  return new UniqueNode(this, options);
});
