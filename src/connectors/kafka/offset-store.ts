import type { SourceHooks } from '../source/owner-hooks.ts';

/**
 * Where a consumer group's positions are kept besides Kafka: the database a sink writes its outputs to, in the
 * same transaction as those outputs. A source (or an application) given one reads a partition's position from
 * it when the partition is assigned, and skips the messages before it: their outputs are stored already, even
 * when the process died before the offsets reached Kafka. `PostgresOffsets` (twinstream/postgres) is one.
 *
 * @example
 * const offsets = new PostgresOffsets('postgres://localhost/twin', { groupId: 'readings' });
 * const app = new Application({ brokers: 'localhost:9092', groupId: 'readings', offsetStore: offsets });
 */
export interface OffsetStore {
  /** The consumer group whose positions the store keeps (it must be the source's). */
  readonly groupId: string;
  /** The next offset to read in `topic`'s `partition`, or undefined when the store has none. */
  position(topic: string, partition: number): Promise<number | undefined>;
}

/**
 * The partition hooks a source runs: its owner's (`beforePartition`, which restores state) and, with an offset
 * store, the store's position too. A partition is then covered up to the greater of the two.
 * @internal
 * @example
 * const preparer = new PartitionPreparer(offsets, withOffsetStore(hooks, config.offsetStore));
 */
export function withOffsetStore(hooks: SourceHooks, store: OffsetStore | undefined): SourceHooks {
  if (store === undefined) return hooks;
  const own = hooks.beforePartition;
  return {
    ...hooks,
    beforePartition: async (topic: string, partition: number): Promise<number> => {
      const [covered, next] = await Promise.all([own ? own(topic, partition) : -1, store.position(topic, partition)]);
      return next === undefined ? covered : Math.max(covered, next - 1);
    },
  };
}
