// The state a stateful `apply`/`peek`/`filter` hands to user code: per partition, per key, a few named values.
import type { CheckpointReader, CheckpointWriter } from './checkpointable.ts';

/**
 * The state of one key, handed to a stateful function (Quix Streams' `State`): named values kept across the
 * elements of that key, checkpointed and restored with the partition. Values must be JSON-serializable; after
 * changing an object read with `get`, `set` it again (only `set` and `delete` are recorded).
 *
 * @example
 * source.apply((x: number, state: State<{ total: number }>) => {
 *   const total = state.get('total', 0) + x;
 *   state.set('total', total);
 *   return total;
 * }, { stateful: true });
 */
export interface State<S extends object = Record<string, any>> {
  /** The value under `key`, or `fallback` when there is none (which is not stored). */
  get<K extends keyof S & string>(key: K, fallback: S[K]): S[K];
  get<K extends keyof S & string>(key: K): S[K] | undefined;
  set<K extends keyof S & string>(key: K, value: S[K]): void;
  delete(key: keyof S & string): void;
  has(key: keyof S & string): boolean;
}

/** The state of one key of one partition. */
class KeyState implements State<any> {
  readonly key: string;
  private readonly owner: PartitionStates;
  readonly values = new Map<string, unknown>();
  /** The names changed since the last checkpoint (null: none). */
  changed: Set<string> | null = null;

  constructor(key: string, owner: PartitionStates) {
    this.key = key;
    this.owner = owner;
  }

  get(name: string, fallback?: unknown): any {
    const v = this.values.get(name);
    return v === undefined ? fallback : v;
  }

  set(name: string, value: unknown): void {
    if (value === undefined) {
      this.delete(name);
      return;
    }
    this.values.set(name, value);
    this.touch(name);
  }

  delete(name: string): void {
    if (this.values.delete(name)) this.touch(name);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  private touch(name: string): void {
    if (this.changed === null) {
      this.changed = new Set();
      this.owner.dirty.push(this);
    }
    this.changed.add(name);
  }
}

/** The keys of one partition. */
class PartitionStates {
  readonly id: number;
  readonly keys = new Map<string, KeyState>();
  readonly dirty: KeyState[] = [];

  constructor(id: number) {
    this.id = id;
  }
}

/**
 * Per-partition, per-key {@link State}s, and how they are checkpointed: one store entry per key and name, under
 * the JSON of `[key, name]`.
 * @internal
 */
export class KeyedStates {
  private readonly parts = new Map<number, PartitionStates>();
  private last: PartitionStates | null = null;
  private lastState: KeyState | null = null;

  /** The state of `key` in `partition`, made when first asked for. */
  of(partition: number, key: string): State<any> {
    const ls = this.lastState;
    const lp = this.last;
    // Runs of one key in one partition are common: no lookup.
    if (ls !== null && lp !== null && lp.id === partition && ls.key === key) return ls;
    let p = lp;
    if (p === null || p.id !== partition) {
      p = this.parts.get(partition) ?? null;
      if (p === null) {
        p = new PartitionStates(partition);
        this.parts.set(partition, p);
      }
      this.last = p;
    }
    let s = p.keys.get(key);
    if (s === undefined) {
      s = new KeyState(key, p);
      p.keys.set(key, s);
    }
    this.lastState = s;
    return s;
  }

  checkpoint(namespace: string, writer: CheckpointWriter): void {
    for (const p of this.parts.values()) {
      for (const s of p.dirty) {
        for (const name of s.changed!) {
          const k = JSON.stringify([s.key, name]);
          const v = s.values.get(name);
          if (v === undefined) writer.delete(namespace, p.id, k);
          else writer.set(namespace, p.id, k, v);
        }
        s.changed = null;
        if (s.values.size === 0) p.keys.delete(s.key);
      }
      p.dirty.length = 0;
    }
    this.lastState = null;
  }

  restorePartition(namespace: string, reader: CheckpointReader, partition: number): void {
    this.dropPartition(partition);
    for (const [k, v] of reader.entries(namespace, partition)) {
      const [key, name] = JSON.parse(k) as [string, string];
      (this.of(partition, key) as KeyState).values.set(name, v);
    }
  }

  dropPartition(partition: number): void {
    this.parts.delete(partition);
    this.last = null;
    this.lastState = null;
  }
}
