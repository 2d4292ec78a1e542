// Replications past one machine: work items on a Kafka topic, run by a consumer group of workers, results gathered
// from a results topic. Re-exports only, by name.

export type { KafkaReplicateOptions, KafkaReplicationSummary } from './replicate-over-kafka.ts';
export { replicateOverKafka } from './replicate-over-kafka.ts';
export type { ReplicationResultMessage, ReplicationWorkItem } from './replication-messages.ts';
export { REPLICATION_TOPICS, replicationSerde } from './replication-messages.ts';
export type { ReplicationWorkerCounts, ReplicationWorkerOptions } from './replication-worker.ts';
export { runReplicationWorker } from './replication-worker.ts';
