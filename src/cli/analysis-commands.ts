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

  sim
    .command('experiment')
    .description(
      'run variants of a model on common seeds, compare them in pairs, and check measures (exit 1 on a failed check)',
    )
    .argument('<file>', 'the experiment file (.yaml, .yml or .json)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const { runExperiment } = await import('../sim/experiment/run-experiment.ts');
      const result = await runExperiment(file);
      if (opts.json === true) {
        const { variants, ...rest } = result;
        io.out(
          json({
            ...rest,
            variants: variants.map((v) => ({
              name: v.name,
              set: v.set,
              measures: v.summary.measures,
              seeds: v.summary.seeds,
            })),
          }),
        );
      } else {
        const { formatExperiment } = await import('../sim/experiment/format-experiment.ts');
        for (const line of formatExperiment(result)) io.out(line);
      }
      if (!result.passed) process.exitCode = 1;
    });

  sim
    .command('report')
    .description('run an experiment and write its report: Markdown and HTML with a chart per measure')
    .argument('<file>', 'the experiment file (.yaml, .yml or .json)')
    .option('--out <dir>', 'where to write report.md, report.html and the charts', 'report')
    .option('--title <text>', 'the title of the report (default: the file name)')
    .action(async (file: string, opts: { out: string; title?: string }) => {
      const { runExperiment } = await import('../sim/experiment/run-experiment.ts');
      const { experimentReport } = await import('../sim/experiment/experiment-report.ts');
      const { mkdir, writeFile } = await import('node:fs/promises');
      const { basename, join } = await import('node:path');
      const result = await runExperiment(file);
      const report = await experimentReport(result, opts.title ?? basename(file));
      await mkdir(opts.out, { recursive: true });
      for (const c of report.charts) await writeFile(join(opts.out, c.file), c.svg);
      await writeFile(join(opts.out, 'report.md'), report.markdown);
      await writeFile(join(opts.out, 'report.html'), report.html);
      io.out(
        `wrote ${join(opts.out, 'report.md')}, ${join(opts.out, 'report.html')} and ${report.charts.length} charts`,
      );
      if (!result.passed) process.exitCode = 1;
    });

  sim
    .command('fit')
    .description('fit a CSV column to the distribution families by maximum likelihood, ranked by AIC')
    .argument('<data>', 'a CSV file with a header row')
    .requiredOption('--column <name>', 'the column to fit')
    .option('--alpha <p>', 'a fit must pass the Kolmogorov–Smirnov test at this level, else: empirical', positive, 0.05)
    .option('--out <file>', 'write the recommended distribution block (YAML) to this file')
    .option('--name <name>', 'the name of the block in --out (default: the column)')
    .option('--json', 'print the fits as JSON')
    .option('--plot <file>', "write an SVG: the data's histogram and the best fits' densities")
    .action(
      async (
        data: string,
        opts: { column: string; alpha: number; out?: string; name?: string; json?: boolean; plot?: string },
      ) => {
        const { readCsvColumn } = await import('../sim/analysis/read-column.ts');
        const { fitDistribution } = await import('../sim/analysis/fit-distribution.ts');
        const { values, skipped } = await readCsvColumn(data, opts.column);
        const result = fitDistribution(values, opts.alpha);
        if (opts.out !== undefined) {
          const { writeFile } = await import('node:fs/promises');
          const best = result.fits[0];
          const header = `# ${opts.column} of ${data}: ${result.n} values; ${
            result.empirical
              ? `no family passed the KS test at ${opts.alpha} (best by AIC: ${best?.family ?? 'none'}), so the data itself`
              : `${best!.family} by AIC ${best!.aic.toFixed(1)}, KS p = ${best!.pValue.toFixed(3)}`
          }\n`;
          // One flow mapping, as model files write distributions: `name: { dist: gamma, shape: 2.1, scale: 1.4 }`.
          const fields = Object.entries(result.recommended).map(
            ([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`,
          );
          const block = `${opts.name ?? opts.column}: { ${fields.join(', ')} }\n`;
          await writeFile(opts.out, header + block);
        }
        if (opts.plot !== undefined) {
          const { fitPlot } = await import('../sim/analysis/fit-plot.ts');
          const { writeFile } = await import('node:fs/promises');
          await writeFile(opts.plot, await fitPlot(values, result, opts.column));
        }
        if (opts.json === true) {
          io.out(json({ ...result, skippedCells: skipped }));
          return;
        }
        io.out(`${result.n} values of ${opts.column}${skipped > 0 ? ` (${skipped} cells skipped: not numbers)` : ''}`);
        const rows = [['family', 'parameters', 'log L', 'AIC', 'KS D', 'KS p']];
        for (const f of result.fits) {
          const { dist: _d, ...params } = f.config as unknown as Record<string, number>;
          rows.push([
            f.family,
            Object.entries(params)
              .map(([k, v]) => `${k}=${Number(v.toPrecision(5))}`)
              .join(' '),
            f.logLikelihood.toFixed(1),
            f.aic.toFixed(1),
            f.ks.toFixed(4),
            f.pValue.toFixed(3),
          ]);
        }
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        for (const r of rows) io.out(`  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd());
        for (const k of result.skipped) io.out(`  ${k.family}: not fitted (${k.reason})`);
        io.out(
          result.empirical
            ? `recommended: empirical (${(result.recommended as { values: number[] }).values.length} values): no family passed the KS test at ${opts.alpha}`
            : `recommended: ${JSON.stringify(result.recommended)}`,
        );
        if (opts.out !== undefined) io.out(`wrote ${opts.out}`);
        if (opts.plot !== undefined) io.out(`wrote ${opts.plot}`);
      },
    );

  sim
    .command('dist')
    .description('list the distribution families, or convert parameters to a mean and std and back')
    .argument('[family]', 'a family, such as lognormal')
    .argument('[params...]', 'its parameters as name=value, such as mean=0.5 sigma=0.3')
    .option('--mean <m>', 'the mean to parameterise the family for (with --std)', Number)
    .option('--std <s>', 'the standard deviation to parameterise the family for (with --mean)', Number)
    .action(async (family: string | undefined, params: string[], opts: { mean?: number; std?: number }) => {
      const dists = await import('../sim/distributions.ts');
      const validate: (c: unknown, path: string) => void = dists.validateDistribution;
      const { distributionMoments } = await import('../sim/analysis/moments.ts');
      const { fromMeanStd } = await import('../sim/analysis/convert-distribution.ts');
      if (family === undefined) {
        for (const d of dists.DISTRIBUTIONS) io.out(`${d.padEnd(12)} ${DIST_PARAMETERS[d]}`);
        return;
      }
      const show = (c: import('../sim/distributions.ts').DistributionConfig) => {
        const m = distributionMoments(c);
        io.out(JSON.stringify(c));
        io.out(
          `mean ${Number(m.mean.toPrecision(6))}, std ${Number(Math.sqrt(m.variance).toPrecision(6))}, cv² ${Number(m.scv.toPrecision(6))}`,
        );
      };
      if (opts.mean !== undefined || opts.std !== undefined) {
        if (opts.mean === undefined || opts.std === undefined) {
          throw new InvalidArgumentError('--mean and --std go together');
        }
        show(fromMeanStd(family, opts.mean, opts.std));
        return;
      }
      const config: Record<string, unknown> = Object.create(null);
      config.dist = family;
      for (const p of params) {
        const m = /^([A-Za-z]+)=(.+)$/.exec(p);
        if (m === null) throw new InvalidArgumentError(`expected a parameter as name=value, got "${p}"`);
        config[m[1]!] = m[2]!.includes(',') ? m[2]!.split(',').map(Number) : Number(m[2]);
      }
      validate(config, family);
      show({ ...config } as import('../sim/distributions.ts').DistributionConfig);
    });
}

// What each family takes, for `sim dist` with no family.
const DIST_PARAMETERS: Record<string, string> = {
  exponential: 'rate',
  normal: 'mean std',
  lognormal: 'mean sigma (of the logarithm; or --mean/--std of the values)',
  uniform: 'low high',
  triangular: 'low mode high',
  gamma: 'shape scale',
  weibull: 'shape scale',
  constant: 'value',
  empirical: 'values [weights] (comma-separated)',
};
