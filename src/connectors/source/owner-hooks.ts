/**
 * What the owner of a source (an application, or any part that runs a source inside something larger) gives it at
 * construction, in one place: how its finished input commits, what to finish before the last commit, and what to
 * do when a partition of the input arrives or leaves. Each is optional; a source without an owner commits its own
 * way and keeps no state.
 *
 * A partition is named by its stream (a topic, a subscription, a file) and its number; a source whose input has no
 * partitions calls the partition hooks with partition 0.
 *
 * @example
 * const source = new KafkaSource(['raw'], config, null, {}, {
 *   drain: () => sink.flush(),
 *   beforePartition: async (topic, partition) => state.restore(topic, partition),
 *   onRevoke: (topic, partition) => state.revoke(topic, partition),
 * });
 */
export interface SourceHooks {
  /** Commits the finished input the owner's way (inside a transaction, with state); replaces the source's own commit. */
  readonly committer?: () => Promise<void>;
  /** Work to finish (flushing sinks) before the last commit, when the source stops. */
  readonly drain?: () => Promise<void>;
  /**
   * Called once for each partition before its first element is handled (an application restores the partition's
   * state). Resolves with the greatest position the restored state already covers (-1 for none): input up to it is
   * skipped. Input waits while it runs.
   */
  readonly beforePartition?: (stream: string, partition: number) => Promise<number>;
  /** A partition prepared by `beforePartition` went to another reader (it is prepared again if it comes back). */
  readonly onRevoke?: (stream: string, partition: number) => void;
  /**
   * Exactly-once: gives up the work since the last commit (finishes what is in flight, then aborts the open
   * transaction). The source calls it when the group takes a partition away, or a commit was refused by a
   * rebalance, and then reads again, from the committed positions, what it had handled since (each partition's
   * state dropped and prepared again by `onRevoke` and `beforePartition`). Input waits while it runs.
   */
  readonly abandon?: () => Promise<void>;
}

/**
 * What the owner of a sink gives it at construction: the transaction its writes go into, and a look at every
 * element it is handed (an application returns them from a finite run).
 *
 * @example
 * const sink = new KafkaSinkNode(stream, 'out', config, { tap: (x) => seen.push(x) });
 */
export interface SinkHooks<Transaction = unknown> {
  /** The transaction the next writes go into (exactly-once); without it, writes are plain. */
  readonly transaction?: () => Promise<Transaction>;
  /** Sees every element handed to the sink, before it is written. */
  readonly tap?: (x: unknown) => void;
}
