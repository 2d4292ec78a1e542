// The entry of the worker threads behind replicate(): piscina loads this file in each thread and calls the default
// export once per replication.
import { type ReplicationOutcome, type ReplicationTask, runReplication } from './run-replication.ts';

/**
 * Runs one replication in a worker thread.
 *
 * @example
 * // piscina calls it: pool.run({ spec, seed, until, stats })
 */
export default function replicationWorker(task: ReplicationTask): Promise<ReplicationOutcome> {
  return runReplication(task);
}
