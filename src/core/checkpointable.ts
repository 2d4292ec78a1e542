// The contract by which a node's state survives a restart, and how an owner (a Kafka application) finds it: by
// what a node offers, never by its class.
import { badArgument } from '../errors.ts';
import type { Metadata } from './refcount.ts';

/** Where a checkpoint writes: a state transaction (`StateStore.begin()`), or an application's writer. */
export interface CheckpointWriter {
  set(namespace: string, partition: number, key: string, value: unknown, options?: { expiresAt?: number }): void;
  delete(namespace: string, partition: number, key: string): void;
}

/** Where a restore reads: the entries of one namespace and partition (a `StateStore` is one). */
export interface CheckpointReader {
  entries(namespace: string, partition: number): Iterable<readonly [string, unknown]>;
}

/**
 * A node whose state must survive a restart: windows, `accumulate`, `partition`, stateful `apply`... Its state is
 * kept per partition (the Kafka partition its elements came from; 0 outside Kafka), under a namespace of its
 * own, as JSON values under string keys. An application calls `checkpoint` at each commit (after the graph is
 * idle, in the same transaction as the input offsets), `restorePartition` when a partition is assigned and
 * `dropPartition` when it is taken away.
 *
 * @example
 * const store = new MemoryStateStore(); // twinstream/state
 * const sums = source.accumulate((s, x) => s + x, { start: 0 });
 * store.transaction((tx) => sums.checkpoint(tx)); // at a checkpoint
 * sums.restorePartition(store, 0); // after a restart
 */
export interface Checkpointable {
  /** The store namespace: unique among the nodes of one application. */
  readonly namespace: string;
  /** Writes the entries changed since the last call (every partition), deletes those gone. */
  checkpoint(writer: CheckpointWriter): void;
  /** Replaces what the node holds for `partition` with the entries `reader` has for it (none: empty). */
  restorePartition(reader: CheckpointReader, partition: number): void;
  /** Forgets what the node holds for `partition` (taken away: its new owner restores it). */
  dropPartition(partition: number): void;
}

/** True when `node` offers the {@link Checkpointable} contract. */
export function isCheckpointable(node: unknown): node is Checkpointable {
  const n = node as Partial<Checkpointable> | null;
  return (
    typeof n === 'object' &&
    n !== null &&
    typeof n.namespace === 'string' &&
    typeof n.checkpoint === 'function' &&
    typeof n.restorePartition === 'function' &&
    typeof n.dropPartition === 'function'
  );
}

/**
 * What a node that keeps elements or state from one element to the next says it keeps (`"up to n records per
 * key"`), checkpointable or not. An application with state refuses such a node unless it is {@link Checkpointable}:
 * a restore would skip the records it held, or start it from nothing.
 */
export interface KeepsInput {
  readonly keepsInput: string;
}

/** What a node keeps between elements (a {@link KeepsInput} node), or null. */
export function keepsInputOf(node: unknown): string | null {
  const k = (node as Partial<KeepsInput> | null)?.keepsInput;
  return typeof k === 'string' ? k : null;
}

/**
 * The partition an element came from: the `partition` of its first metadata entry (a Kafka record's), else 0.
 * @internal
 */
export function partitionOf(md: Metadata | undefined): number {
  if (md === undefined || md.length === 0) return 0;
  const p = md[0]!.partition;
  return typeof p === 'number' ? p : 0;
}

/**
 * @internal What a checkpoint keeps of a held element's metadata: its partition and record key (latin1), so that
 * a restored element still tells later nodes where it came from. Its counters stay behind: their offsets are
 * covered by the checkpoint.
 */
export function metadataOrigin(md: Metadata | undefined): { partition: number; key: string | null } {
  const k = md === undefined || md.length === 0 ? undefined : md[0]!.kafkaKey;
  let key: string | null = null;
  if (typeof k === 'string') key = k;
  else if (k instanceof Uint8Array) {
    key = '';
    for (let i = 0; i < k.length; i++) key += String.fromCharCode(k[i]!);
  }
  return { partition: partitionOf(md), key };
}

/** @internal The metadata of a restored element: its origin, without counters (see `metadataOrigin`). */
export function restoredMetadata(origin: { partition: number; key: string | null }): Metadata {
  return origin.key === null
    ? [{ partition: origin.partition }]
    : [{ partition: origin.partition, kafkaKey: origin.key }];
}

/** @internal The namespace a node checkpoints under: the one given, else `fallback`. */
export function namespaceOption(where: string, namespace: unknown, fallback: string): string {
  if (namespace === undefined) return fallback;
  if (typeof namespace !== 'string' || namespace === '')
    badArgument(where, 'namespace', namespace, 'a non-empty string');
  return namespace;
}

/**
 * @internal The Kafka offset of the record an element came from (its first metadata entry's), else -1. A node
 * reading several topics keeps the greatest offset it took per input in its checkpoint, and after a restore skips
 * the records of an input at or below it: read again from a topic whose offsets are not covered by the
 * application's state (the other side of a join of topics), they are already in the node's state or past it.
 */
export function offsetOf(md: Metadata | undefined): number {
  if (md === undefined || md.length === 0) return -1;
  const o = md[0]!.offset;
  return typeof o === 'number' ? o : -1;
}
