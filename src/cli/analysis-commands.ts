import { type Command, InvalidArgumentError } from 'commander';
import type { CliOutput } from './program.ts';

const count =
  (min: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`expected an integer >= ${min}, got "${value}"`);
    return n;
  };
const positive = (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  }
  return n;
};

// Infinity has no JSON form: written as the string "Infinity" so an unstable resource stays visible.
const json = (x: unknown) =>
  JSON.stringify(x, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);

/**
 * Adds the analysis commands to `twinstream sim`: `explain` (queueing formulas, `--verify` by replications),
 * `fit` (distribution fitting) and `dist` (parameters to mean/std and back).
 *
 * @example
 * addAnalysisCommands(program.command('sim'), { out: console.log, err: console.error });
 */
export function addAnalysisCommands(sim: Command, io: CliOutput): void {
  sim
    .command('explain')
    .description(
      'analyse a model without simulating: flow graph, utilisation, Erlang C and Kingman waits, throughput, bottleneck',
    )
    .argument('<model>', 'the model file (.yaml, .yml or .json)')
    .option('--verify', 'run replications and put the simulated figures beside the formulas')
    .option('--replications <n>', 'replications for --verify', count(2), 10)
    .option('--workers <n>', 'worker threads for --verify', count(1), 1)
    .option('--until <time>', 'simulated time of each --verify replication (default run.until)', positive)
    .option('--seed <n>', 'seed the --verify replications are spawned from', count(1))
    .option('--json', 'print the analysis as JSON')
    .action(
      async (
        model: string,
        opts: {
          verify?: boolean;
          replications: number;
          workers: number;
          until?: number;
          seed?: number;
          json?: boolean;
        },
      ) => {
        const { loadModel } = await import('../sim/model/run.ts');
        const { explainModel } = await import('../sim/analysis/explain-model.ts');
        const spec = await loadModel(model);
        const explanation = explainModel(spec);
        let verification: import('../sim/analysis/verify-explanation.ts').Verification | undefined;
        if (opts.verify === true) {
          const { verifyExplanation } = await import('../sim/analysis/verify-explanation.ts');
          verification = await verifyExplanation(spec, explanation, {
            replications: opts.replications,
            workers: opts.workers,
            ...(opts.until === undefined ? {} : { until: opts.until }),
            ...(opts.seed === undefined ? {} : { seed: opts.seed }),
          });
        }
        if (opts.json === true) {
          io.out(json(verification === undefined ? explanation : { ...explanation, verification }));
          return;
        }
        const { formatExplanation } = await import('../sim/analysis/format-explanation.ts');
        for (const line of formatExplanation(explanation, verification)) io.out(line);
      },
    );
}
