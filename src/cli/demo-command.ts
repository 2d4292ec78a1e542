import type { Command } from 'commander';
import { type CliOutput, duration, parseNumber } from './option-parsers.ts';

/** The options of `twinstream demo`. */
interface DemoCommandOptions {
  until?: number;
  out: string;
  seed: number;
  progress: boolean;
  live?: boolean;
  speed: number;
  host: string;
  port: number;
  token?: string;
  kafka?: string;
}

/**
 * Adds `twinstream demo`: the Line_A factory line simulated for a week as fast as the CPU allows and streamed
 * through a pipeline (1-minute windows, a live interpolated view read by a model, decimation into a stored stream),
 * with Parquet files and an SVG chart under `--out`. `--live` runs it paced (60 simulated seconds a second) and
 * serves the dashboard.
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
    .option('--live', 'run paced (see --speed) and serve the dashboard: live plots, the pipeline, parameter sliders')
    .option('--speed <n>', 'with --live: simulated seconds per second', parseNumber('a number', 0, true), 60)
    .option('--host <address>', 'with --live: the address the dashboard binds', '127.0.0.1')
    .option('--port <n>', 'with --live: its port (0: a free one)', parseNumber('a port number', 0, false), 8080)
    .option('--token <secret>', 'with --live: the token its controls need when bound beyond loopback (default: random)')
    .option(
      '--kafka <bootstrap>',
      "move the records through a Kafka broker (host:port), or 'local' to start the repository's own broker",
    )
    .action(async (opts: DemoCommandOptions) => {
      const { runDemo } = await import('./demo/run-demo.ts');
      const { formatDemoSummary } = await import('./demo/demo-summary.ts');
      const { demoProgressBar } = await import('./demo/demo-progress.ts');
      const broker = opts.kafka === undefined ? null : await kafkaBroker(opts.kafka, io);
      const bar = opts.progress && !opts.live ? await demoProgressBar() : null;
      let summary: Awaited<ReturnType<typeof runDemo>>;
      try {
        summary = await runDemo({
          out: opts.out,
          seed: opts.seed,
          ...(opts.until === undefined ? {} : { until: opts.until }),
          ...(bar === null ? {} : { onProgress: (p) => bar.update(p) }),
          ...(opts.live ? { speed: opts.speed, onPipeline: (p) => serveDemo(p, opts, io) } : {}),
          ...(broker === null ? {} : { kafka: { brokers: broker.bootstrap } }),
        });
      } finally {
        bar?.stop();
        await broker?.stop();
      }
      for (const line of formatDemoSummary(summary)) io.out(line);
    });
}

async function serveDemo(
  pipeline: import('./demo/run-demo.ts').DemoPipeline,
  opts: DemoCommandOptions,
  io: CliOutput,
): Promise<() => Promise<void>> {
  const { serveModelDashboard } = await import('./live-dashboard.ts');
  const { env, spec, records, minutes } = pipeline;
  const dashboard = await serveModelDashboard(env, spec, records, {
    host: opts.host,
    port: opts.port,
    ...(opts.token === undefined ? {} : { token: opts.token }),
    title: `twinstream demo: ${spec.simId} at ${opts.speed}x`,
    extraPlots: (d) =>
      d.plot(
        minutes.filter((w) => w.key === 'lathe.queue_length'),
        { name: 'lathe.queue_length, 1-minute mean', time: (w) => w.end, value: (w) => w.mean },
      ),
  });
  io.out(`dashboard: ${dashboard.url}  (Ctrl-C stops; the files written so far are kept only when the run ends)`);
  return () => dashboard.stop();
}

/**
 * The broker of `--kafka`: an address as given, or, for `local`, a single-node broker started from the
 * repository's scripts/kafka.ts (Java and Maven needed; the package installed from npm does not ship it).
 */
async function kafkaBroker(value: string, io: CliOutput): Promise<{ bootstrap: string; stop(): Promise<void> }> {
  if (value !== 'local') return { bootstrap: value, stop: async () => {} };
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  // From src/cli/ or dist/cli/ (or dist/chunks/), the repository's scripts folder is two levels up.
  const script = new URL('../../scripts/kafka.ts', import.meta.url);
  if (!existsSync(fileURLToPath(script))) {
    const { TwinstreamError } = await import('../errors.ts');
    throw new TwinstreamError(
      'TS_MISSING_DEPENDENCY',
      `--kafka local starts the broker of a twinstream checkout (scripts/kafka.ts), which this installation does not ` +
        `have: give a broker's address instead (--kafka host:9092), or run the demo from a clone of the repository`,
    );
  }
  io.err('starting a local Kafka broker (the first start downloads it through Maven)...');
  const { startKafka } = (await import(script.href)) as {
    startKafka(o: { brokers: 1 }): Promise<{ bootstrap: string; stop(): Promise<void> }>;
  };
  const kafka = await startKafka({ brokers: 1 });
  io.err(`Kafka is running at ${kafka.bootstrap}`);
  return kafka;
}
