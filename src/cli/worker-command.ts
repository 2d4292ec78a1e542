import type { Command } from 'commander';
import { REPLICATION_TOPICS } from '../cluster/replication-messages.ts';
import { badArgument } from '../errors.ts';
import { type CliOutput, duration, parseNumber } from './option-parsers.ts';

/**
 * Adds `twinstream sim worker` to `sim`: a replication worker of a Kafka cluster, running the work items that
 * `twinstream sim run --replications n --kafka <brokers>` writes, until SIGTERM or Ctrl-C.
 *
 * @example
 * addWorkerCommand(program.command('sim'), { out: console.log, err: console.error });
 * @internal
 */
export function addWorkerCommand(sim: Command, io: CliOutput): void {
  sim
    .command('worker')
    .description(
      'run replications for `sim run --replications n --kafka <brokers>`: one of a consumer group of workers, until SIGTERM or Ctrl-C',
    )
    .requiredOption('--kafka <brokers>', 'the Kafka brokers, host:port or a comma-separated list')
    .option('--group <id>', 'the consumer group the workers share', REPLICATION_TOPICS.group)
    .option('--work-topic <topic>', 'the topic of work items', REPLICATION_TOPICS.work)
    .option('--result-topic <topic>', 'the topic results go to', REPLICATION_TOPICS.results)
    .option(
      '--partitions <n>',
      'partitions of the work topic if this worker creates it: the most workers busy at once',
      parseNumber('an integer', 1, false),
      8,
    )
    .option(
      '--session-timeout <time>',
      'how long the group waits for a silent worker before its work goes to another, such as 10s',
      duration,
      10,
    )
    .option('--quiet', 'print no line per replication')
    .action(
      async (opts: {
        kafka: string;
        group: string;
        workTopic: string;
        resultTopic: string;
        partitions: number;
        sessionTimeout: number;
        quiet?: boolean;
      }) => {
        if (!Number.isInteger(opts.partitions)) {
          badArgument('sim worker', '--partitions', opts.partitions, 'an integer >= 1');
        }
        const { runReplicationWorker } = await import('../cluster/replication-worker.ts');
        io.err(`replication worker: reading ${opts.workTopic} in group ${opts.group} (SIGTERM or Ctrl-C to stop)`);
        const counts = await runReplicationWorker({
          brokers: opts.kafka,
          groupId: opts.group,
          workTopic: opts.workTopic,
          resultTopic: opts.resultTopic,
          partitions: opts.partitions,
          sessionTimeout: opts.sessionTimeout * 1000,
          handleSignals: true,
          ...(opts.quiet === true
            ? {}
            : {
                onResult: (r) =>
                  io.out(
                    'error' in r
                      ? `replication ${r.index} of job ${r.job.slice(0, 8)} (seed ${r.seed}) failed: ${r.error}`
                      : `replication ${r.index} of job ${r.job.slice(0, 8)} (seed ${r.seed}): ${r.events} events in ${r.wallSeconds.toFixed(2)} s`,
                  ),
              }),
        });
        io.err(
          `replication worker stopped: ${counts.replications} replications run, ${counts.failed} failed, ${counts.skipped} skipped`,
        );
      },
    );
}
