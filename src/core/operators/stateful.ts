import { badArgument, requireFunction } from '../../errors.ts';
import {
  type Checkpointable,
  type CheckpointReader,
  type CheckpointWriter,
  namespaceOption,
  partitionOf,
} from '../checkpointable.ts';
import type { FuseContext } from '../fusion.ts';
import { type KeySpec, toKeyFn } from '../key.ts';
import { KeyedStates, type State } from '../keyed-state.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';
import { MapNode } from './map.ts';

/** Options of a stateful `apply`, `peek` or `filter` (Quix Streams' `stateful=True`). */
export interface StatefulOptions<T = any> {
  /** Hands `fn` a per-key {@link State} as its second argument. */
  stateful: true;
  /**
   * Whose state an element uses: a function, field name or index of the element. Default: the key of the Kafka
   * record it came from (its metadata), as in Quix; elements without one share one state.
   */
  key?: KeySpec<T>;
  /** The store namespace (and changelog name) of this state; unique in an application. Default: `'state'`. */
  namespace?: string;
}

type Mode = 'apply' | 'peek' | 'filter';

/**
 * Calls `fn(x, state)` with the state of the element's key in the element's partition, and emits the result
 * (`apply`), the element (`peek`) or the element when the result is truthy (`filter`). {@link Checkpointable}: an
 * application checkpoints the state with its commits and restores it with the partition.
 */
export class StatefulNode<T> extends Stream<any> implements Checkpointable {
  override kind: Mode;
  readonly namespace: string;
  readonly keepsInput = 'per-key state';
  readonly fn: (x: T, state: State<any>) => unknown;
  private readonly keyOf: ((x: T) => unknown) | null;
  private readonly states = new KeyedStates();
  private readonly mode: 0 | 1 | 2;
  private readonly recordKeys = new Latin1Keys();

  constructor(upstream: Stream<T>, mode: Mode, fn: (x: T, state: State<any>) => unknown, options: StatefulOptions<T>) {
    requireFunction(mode, 'fn', fn);
    if (options.stateful !== true) badArgument(mode, 'stateful', options.stateful, 'true');
    const keyOf = options.key === undefined ? null : toKeyFn(mode, options.key);
    const namespace = namespaceOption(mode, options.namespace, 'state');
    super({ clock: upstream.clock });
    this.kind = mode;
    this.mode = mode === 'apply' ? 0 : mode === 'peek' ? 1 : 2;
    this.fn = fn;
    this.keyOf = keyOf;
    this.namespace = namespace;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    const r = this.withState(x as T, metadata);
    if (this.mode === 0) return this.pass(r, metadata);
    if (this.mode === 2 && !r) return;
    return this.pass(x, metadata);
  }

  /** `fn` on `x` with the state of its key in its partition. */
  withState(x: T, metadata: Metadata | undefined): unknown {
    const key = this.keyOf === null ? this.recordKeys.of(metadata) : stateKey(this.keyOf(x));
    return this.fn(x, this.states.of(partitionOf(metadata), key));
  }

  /** Written inline into the graph's delivery (no hop through `update`, nor a hold of the element per node). */
  fuse(ctx: FuseContext): string {
    const node = ctx.bind(this);
    if (this.mode === 0) return `x = ${node}.withState(x, md);`;
    if (this.mode === 2) return `if (!${node}.withState(x, md)) return;`;
    return `${node}.withState(x, md);`;
  }

  checkpoint(writer: CheckpointWriter): void {
    this.states.checkpoint(this.namespace, writer);
  }

  restorePartition(reader: CheckpointReader, partition: number): void {
    this.states.restorePartition(this.namespace, reader, partition);
  }

  dropPartition(partition: number): void {
    this.states.dropPartition(partition);
  }
}

/** Slots of `Latin1Keys` (a power of two), and the longest key it keeps. */
const KEY_SLOTS = 1024;
const KEY_BYTES = 48;

/**
 * The key of the Kafka record an element came from, as a string (its bytes as latin1); '' without one. Keys
 * repeat: each is made once and the same string comes back, whose hash the state lookup then has cached (no
 * string made and hashed per message). Direct-mapped over a hash of the bytes: a slot keeps the
 * last key that hashed there (its bytes in one preallocated array); at most KEY_SLOTS keys of KEY_BYTES bytes.
 */
class Latin1Keys {
  private readonly bytes = new Uint8Array(KEY_SLOTS * KEY_BYTES);
  private readonly lengths = new Int32Array(KEY_SLOTS).fill(-1);
  private readonly strings: string[] = new Array<string>(KEY_SLOTS).fill('');

  of(md: Metadata | undefined): string {
    if (md === undefined || md.length === 0) return '';
    const k = md[0]!.kafkaKey;
    if (k === undefined || k === null) return '';
    if (typeof k === 'string') return k;
    const b = k as Uint8Array;
    const n = b.length;
    if (n > KEY_BYTES) return latin1(b);
    let h = 0x811c9dc5;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    const slot = (h ^ (h >>> 16)) & (KEY_SLOTS - 1);
    const at = slot * KEY_BYTES;
    const kept = this.bytes;
    if (this.lengths[slot] === n) {
      let i = 0;
      while (i < n && kept[at + i] === b[i]) i++;
      if (i === n) return this.strings[slot]!;
    }
    const s = latin1(b);
    kept.set(b, at);
    this.lengths[slot] = n;
    this.strings[slot] = s;
    return s;
  }
}

function latin1(b: Uint8Array): string {
  const bytes = b as Uint8Array & { latin1Slice?: (start: number, end: number) => string };
  // A Node Buffer decodes latin1 natively; a plain Uint8Array (browser) goes through char codes.
  if (typeof bytes.latin1Slice === 'function') return bytes.latin1Slice(0, bytes.length);
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

function stateKey(k: unknown): string {
  return typeof k === 'string' ? k : JSON.stringify(k ?? null);
}

/** True when the argument after a function is the options of a stateful call (not an extra argument). */
export function isStatefulOptions(x: unknown): x is StatefulOptions {
  return typeof x === 'object' && x !== null && (x as { stateful?: unknown }).stateful === true;
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Applies `fn` to every element and emits the result (Quix Streams' `apply`). With `{ stateful: true }`,
     * `fn(x, state)` gets the {@link State} of the element's key, checkpointed by an application.
     * @example source.apply((r, state: State<{ n: number }>) => { const n = state.get('n', 0) + 1; state.set('n', n); return n; }, { stateful: true })
     */
    apply<R, S extends object = Record<string, any>>(
      fn: (x: T, state: State<S>) => R,
      options: StatefulOptions<T>,
    ): Stream<R> & Checkpointable;
    apply<R>(fn: (x: T) => R): Stream<R>;
    /**
     * Calls `fn` for every element and passes the element on (Quix Streams' `update`; `update` is every node's
     * own input method here). With `{ stateful: true }`, `fn(x, state)` gets the element key's {@link State}.
     * @example source.peek((r, state: State<{ last: number }>) => state.set('last', r.value), { stateful: true })
     */
    peek<S extends object = Record<string, any>>(
      fn: (x: T, state: State<S>) => unknown,
      options: StatefulOptions<T>,
    ): Stream<T> & Checkpointable;
    peek(fn: (x: T) => unknown): Stream<T>;
    /**
     * Keeps the elements for which `predicate(x, state)` is truthy, with the element key's {@link State}.
     * @example source.filter((r, state: State<{ seen: boolean }>) => { const first = !state.has('seen'); state.set('seen', true); return first; }, { stateful: true })
     */
    filter<S extends object = Record<string, any>>(
      predicate: (x: T, state: State<S>) => unknown,
      options: StatefulOptions<T>,
    ): Stream<T> & Checkpointable;
  }
}

Stream.register('apply', function apply(this: Stream<any>, fn: (x: any, s?: any) => any, options?: StatefulOptions) {
  if (options === undefined || options.stateful !== true) {
    if (options !== undefined && typeof options !== 'object') badArgument('apply', 'options', options, 'an object');
    return new MapNode(this, fn, []);
  }
  return new StatefulNode(this, 'apply', fn, options);
});

Stream.register('peek', function peek(this: Stream<any>, fn: (x: any, s?: any) => unknown, options?: StatefulOptions) {
  if (options === undefined || options.stateful !== true) {
    requireFunction('peek', 'fn', fn);
    return new MapNode(
      this,
      (x: unknown) => {
        fn(x);
        return x;
      },
      [],
    );
  }
  return new StatefulNode(this, 'peek', fn, options);
});
