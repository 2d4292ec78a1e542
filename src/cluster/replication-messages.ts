import type { Serde } from '../connectors/kafka/serializers.ts';
import { TwinstreamError } from '../errors.ts';
import type { ModelSpec } from '../sim/model/spec.ts';
import type { StatsLevel } from '../sim/stats/model-statistics.ts';

/**
 * The default topics and worker group of replications over Kafka.
 *
 * @example
 * import { REPLICATION_TOPICS } from 'twinstream/cluster';
 * REPLICATION_TOPICS.work; // 'twinstream-replications'
 */
export const REPLICATION_TOPICS = {
  work: 'twinstream-replications',
  results: 'twinstream-replication-results',
  group: 'twinstream-replication-workers',
} as const;

/**
 * One replication to run, as a coordinator writes it to the work topic: the job it belongs to, its index among the
 * job's replications, its seed, the validated model and what to measure. A worker skips an item past its
 * `deadline` (ms since the epoch; null: none).
 */
export interface ReplicationWorkItem {
  job: string;
  index: number;
  of: number;
  seed: number;
  until: number;
  stats: StatsLevel;
  deadline: number | null;
  spec: ModelSpec<number>;
}

/**
 * What a worker writes to the results topic for one work item: its statistics (by name, without the
 * `<simId>.stats.` prefix) and kernel events, or the error the replication ended with. `worker` names the process
 * (`host:pid`).
 */
export type ReplicationResultMessage = {
  job: string;
  index: number;
  seed: number;
  worker: string;
  wallSeconds: number;
} & ({ statistics: Record<string, number>; events: number } | { error: string; code: string });

// JSON has no Infinity (an unlimited capacity), NaN (a statistic with no observation) or -0: they travel as
// `{ "$number": "Infinity" }`, a key no model or statistic uses, so every number arrives as it left.
const TAG = '$number';

function replacer(_key: string, v: unknown): unknown {
  if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) {
    return { [TAG]: Object.is(v, -0) ? '-0' : String(v) };
  }
  return v;
}

function reviver(key: string, v: unknown): unknown {
  // Outside data never becomes a prototype (the model is read from the topic).
  if (key === '__proto__') return undefined;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === TAG) {
      const text = (v as Record<string, unknown>)[TAG];
      if (text === 'Infinity' || text === '-Infinity' || text === 'NaN' || text === '-0') return Number(text);
    }
  }
  return v;
}

/**
 * The serde of the work and results topics: JSON (readable with any Kafka tool), with numbers JSON cannot hold kept
 * exactly.
 *
 * @example
 * const bytes = replicationSerde.serialize({ capacity: Infinity });
 * replicationSerde.deserialize(bytes); // { capacity: Infinity }
 */
export const replicationSerde: Serde<any> = {
  name: 'replication-json',
  serialize: (value) => Buffer.from(JSON.stringify(value, replacer)),
  deserialize(bytes) {
    try {
      return JSON.parse(bytes.toString('utf8'), reviver);
    } catch (error) {
      throw new TwinstreamError('TS_KAFKA_DESERIALIZE', `replication-json deserializer: ${(error as Error).message}`, {
        cause: error,
        context: { serde: 'replication-json' },
      });
    }
  },
};
