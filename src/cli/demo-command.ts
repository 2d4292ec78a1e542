import type { Command } from 'commander';
import { type CliOutput, duration, parseNumber } from './option-parsers.ts';

/**
 * Adds `twinstream demo`: the Line_A factory line simulated for a week as fast as the CPU allows and streamed
 * through a pipeline (1-minute windows, a live interpolated view read by a model, decimation into a stored stream),
 * with Parquet files and an SVG chart under `--out`.
 *
 * @example
 * addDemoCommand(new Command('twinstream'), { out: console.log, err: console.error });
 * @internal
 */
export function addDemoCommand(program: Command, io: CliOutput): void {
  program
    .command('demo')
    .description(
      'simulate a factory line for a week through a twinstream pipeline; writes Parquet files and a chart to --out',
    )
    .option(
      '--until <time>',
      'simulated time to run, in seconds or as a duration such as 1h, 1d (default 7d)',
      duration,
    )
    .option('--out <dir>', 'the output folder', 'twinstream-out')
    .option('--seed <n>', 'random seed', parseNumber('an integer', 1, false), 42)
    .option('--no-progress', 'no progress bar (there is none when stderr is not a terminal)')
    .action(async (opts: { until?: number; out: string; seed: number; progress: boolean }) => {
      const { runDemo } = await import('./demo/run-demo.ts');
      const { formatDemoSummary } = await import('./demo/demo-summary.ts');
      const { demoProgressBar } = await import('./demo/demo-progress.ts');
      const bar = opts.progress ? await demoProgressBar() : null;
      let summary: Awaited<ReturnType<typeof runDemo>>;
      try {
        summary = await runDemo({
          out: opts.out,
          seed: opts.seed,
          ...(opts.until === undefined ? {} : { until: opts.until }),
          ...(bar === null ? {} : { onProgress: (p) => bar.update(p) }),
        });
      } finally {
        bar?.stop();
      }
      for (const line of formatDemoSummary(summary)) io.out(line);
    });
}
