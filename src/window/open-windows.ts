// The open windows of a window node, by partition and key, and how they are written into a state store and read
// back: the data every window kind shares (src/window/window-node.ts holds the behaviour).
import { hashKey } from '../core/key.ts';
import type { Metadata } from '../core/refcount.ts';
import type { AggregationPlan } from './aggregation-plan.ts';
import { PARTITION_ENTRY, storeKey, type WindowStoreReader, type WindowStoreWriter } from './window-store.ts';

/** One open window of one key. */
export interface OpenWindow {
  start: number;
  end: number;
  /** The watermark at which it closes (its end; sliding windows, inclusive of their end, close one ms later). */
  closeAt: number;
  states: unknown[];
  /** The greatest timestamp added (sliding and count windows report it); -Infinity when empty. */
  maxTs: number;
  /** The smallest timestamp added (count windows report it). */
  minTs: number;
  /** Elements added (count windows close on it). */
  n: number;
  /** The metadata of the elements it holds, retained until the window is emitted or dropped. */
  held: Metadata[] | null;
  /** Raw values, kept only when an aggregation must be replayed (session merge without `merge`). */
  values: [unknown, number][] | null;
}

/** The windows and clock of one key. */
export class KeyWindows {
  readonly key: unknown;
  readonly partition: PartitionWindows;
  /** The greatest timestamp seen for this key. */
  maxTs = Number.NEGATIVE_INFINITY;
  /** A watermark imposed from outside the data (the idle timeout); never lowered. */
  floor = Number.NEGATIVE_INFINITY;
  /** Open windows, sorted by start. */
  windows: OpenWindow[] = [];
  /** Count windows: elements seen (for the step). */
  seen = 0;
  /** Sliding windows: windows starting at or before this were emitted already (they stay a while for reuse). */
  expiredThrough = Number.NEGATIVE_INFINITY;
  dirty = false;

  constructor(key: unknown, partition: PartitionWindows) {
    this.key = key;
    this.partition = partition;
  }
}

/** The keys and clock of one partition. */
export class PartitionWindows {
  readonly id: number;
  readonly keys = new Map<unknown, KeyWindows>();
  maxTs = Number.NEGATIVE_INFINITY;
  floor = Number.NEGATIVE_INFINITY;
  /** No window of this partition closes before this watermark (a lower bound; rescans refresh it). */
  nextClose = Number.NEGATIVE_INFINITY;
  dirty = false;
  /** Keys whose entries must be deleted from the store at the next persist. */
  readonly removed = new Set<unknown>();

  constructor(id: number) {
    this.id = id;
  }
}

/** Writes the keys of `parts` changed since the last call into `tx`, and deletes the keys removed since. */
export function persistWindows(
  tx: WindowStoreWriter,
  namespace: string,
  parts: Iterable<PartitionWindows>,
  plan: AggregationPlan,
): void {
  for (const p of parts) {
    for (const hk of p.removed) {
      const kw = p.keys.get(hk);
      if (kw === undefined) tx.delete(namespace, p.id, storeKey(hk));
    }
    p.removed.clear();
    tx.set(namespace, p.id, PARTITION_ENTRY, { maxTs: finite(p.maxTs), floor: finite(p.floor) });
    for (const kw of p.keys.values()) {
      if (!kw.dirty) continue;
      kw.dirty = false;
      const last = kw.windows[kw.windows.length - 1];
      tx.set(
        namespace,
        p.id,
        storeKey(kw.key),
        {
          key: kw.key,
          maxTs: finite(kw.maxTs),
          floor: finite(kw.floor),
          seen: kw.seen,
          expiredThrough: finite(kw.expiredThrough),
          windows: kw.windows.map((w) => ({
            start: w.start,
            end: w.end,
            closeAt: w.closeAt,
            maxTs: finite(w.maxTs),
            minTs: finite(w.minTs),
            n: w.n,
            states: plan.toRecord(w.states),
            values: w.values,
          })),
        },
        last === undefined ? {} : { expiresAt: last.closeAt },
      );
    }
  }
}

/** Reads the windows of every partition `store` has under `namespace` into the partitions `partitionFor` gives. */
export function restoreWindows(
  store: WindowStoreReader,
  namespace: string,
  plan: AggregationPlan,
  partitionFor: (id: number) => PartitionWindows,
): void {
  for (const pid of store.partitions(namespace)) {
    const p = partitionFor(pid);
    for (const [k, v] of store.entries(namespace, pid)) {
      const e = v as any;
      if (k === PARTITION_ENTRY) {
        p.maxTs = e.maxTs ?? Number.NEGATIVE_INFINITY;
        p.floor = e.floor ?? Number.NEGATIVE_INFINITY;
        continue;
      }
      const kw = new KeyWindows(e.key, p);
      kw.maxTs = e.maxTs ?? Number.NEGATIVE_INFINITY;
      kw.floor = e.floor ?? Number.NEGATIVE_INFINITY;
      kw.seen = e.seen ?? 0;
      kw.expiredThrough = e.expiredThrough ?? Number.NEGATIVE_INFINITY;
      kw.windows = (e.windows as any[]).map((w) => ({
        start: w.start,
        end: w.end,
        closeAt: w.closeAt,
        maxTs: w.maxTs ?? Number.NEGATIVE_INFINITY,
        minTs: w.minTs ?? Number.POSITIVE_INFINITY,
        n: w.n,
        states: plan.fromRecord(w.states),
        // Its elements' offsets are covered by the checkpoint: it holds only where they came from, so its result
        // still tells later nodes its partition.
        held: [[{ partition: pid }]],
        values: w.values ?? null,
      }));
      p.keys.set(hashKey(e.key), kw);
    }
  }
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
