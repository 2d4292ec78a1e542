import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Command, Option } from 'commander';
import { badArgument, TwinstreamError } from '../errors.ts';
import { STATS_LEVELS, type StatsLevel } from '../sim/stats/model-statistics.ts';
import { addAnalysisCommands } from './analysis-commands.ts';
import { LOG_LEVELS } from './cli-logger.ts';
import { addCommandExamples } from './command-examples.ts';
import { addDashboardCommand } from './dashboard-command.ts';
import { addDemoCommand } from './demo-command.ts';
import { LINE_A_YAML } from './line-a-model.ts';
import { duration, parseNumber as number } from './option-parsers.ts';
import { outputFolder } from './output-folder.ts';
import { addPipelineCommands } from './pipeline-commands.ts';
import { addWorkerCommand } from './worker-command.ts';

export type { CliOutput } from './option-parsers.ts';

import type { CliOutput } from './option-parsers.ts';

/**
 * The `twinstream` command line: `twinstream sim run <model> [--until t] [--factor f] [--seed n] [--out dir]` runs a
 * declarative model and prints a summary.
 *
 * @example
 * await cliProgram().parseAsync(['node', 'twinstream', 'sim', 'run', 'examples/models/line-a.yaml', '--until', '3600']);
 */
export function cliProgram(io: CliOutput = { out: (l) => console.log(l), err: (l) => console.error(l) }): Command {
  const program = new Command('twinstream')
    .description('Streaming sensor and digital-twin data: run simulations, pipelines and connectors.')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .version(packageVersion(), '-V, --version')
    .addOption(
      new Option('--log-level <level>', 'what the log on stderr shows (JSON lines when stderr is not a terminal)')
        .choices(LOG_LEVELS)
        .default('info'),
    )
    .showHelpAfterError();
  addDemoCommand(program, io);
  addDashboardCommand(program, io);
  addPipelineCommands(program, io);
  const sim = program.command('sim').description('discrete-event simulation');
  sim
    .command('init')
    .description('write the example model (Line_A: one production line, one lathe) to a file, to run and edit')
    .argument('[file]', 'where to write it', 'line-a.yaml')
    .option('--force', 'replace the file if it exists')
    .action((file: string, opts: { force?: boolean }) => {
      writeExampleModel(file, opts.force === true);
      io.out(`wrote ${file}: run it with  twinstream sim run ${file} --until 1d`);
    });
  sim
    .command('schema')
    .description('print the JSON Schema of model files, for editors to validate and complete them as you type')
    .action(async () => {
      const { modelJsonSchema } = await import('../sim/model/model-json-schema.ts');
      io.out(JSON.stringify(await modelJsonSchema(), null, 2));
    });
  sim
    .command('run')
    .description('run a declarative model (YAML or JSON) and print a summary')
    .argument('<model>', 'the model file (.yaml, .yml or .json)')
    .option(
      '--until <time>',
      'simulated time to run, in seconds or as a duration such as 90s, 5m, 1h, 7d (overrides run.until)',
      duration,
    )
    .option(
      '--drain [limit]',
      'after --until, let the entities in the system finish (for at most limit, a time such as 10m)',
    )
    .option(
      '--warmup <time>',
      'publish nothing for this long and then start the statistics afresh (overrides run.warmup)',
      duration,
    )
    .option(
      '--factor <f>',
      'wall time per simulated time, 0 = as fast as possible (overrides run.factor)',
      number('a number', 0, false),
    )
    .option('--seed <n>', 'random seed (overrides run.seed)', number('an integer', 1, false))
    .option('--out <dir>', 'directory for local egress files', 'data')
    .option('--quiet', 'print no summary')
    .option('--no-progress', 'no progress bar (there is none when stderr is not a terminal)')
    .addOption(
      new Option('--stats <level>', 'built-in statistics in the summary (overrides stats.level)').choices(STATS_LEVELS),
    )
    .option(
      '--replications <n>',
      'run n replications unpaced with no I/O, seeds spawned from the seed; print each statistic with its interval',
      number('an integer', 2, false),
    )
    .option('--workers <n>', 'replications run at once, each in a worker thread', number('an integer', 1, false), 1)
    .option('--level <p>', 'confidence level of the intervals', number('a number', 0, true), 0.95)
    .option('--measure <name...>', 'statistics to summarise, such as tasks.milling.wait_mean (default: all)')
    .option(
      '--sample <n>',
      "print the first n events as JSON lines, unpaced, with none of the model's sinks",
      number('an integer', 1, false),
    )
    .option('--stdout', "print every record as a JSON line instead of writing to the model's sinks")
    .option(
      '--kafka <brokers>',
      'run the --replications on the workers of these Kafka brokers (twinstream sim worker), not on threads here',
    )
    .option('--work-topic <topic>', 'with --kafka: the topic of work items', 'twinstream-replications')
    .option('--result-topic <topic>', 'with --kafka: the topic results come back on', 'twinstream-replication-results')
    .option(
      '--result-timeout <time>',
      'with --kafka: give up when no result came for this long, in seconds or as a duration such as 5m',
      duration,
      300,
    )
    .action(
      async (
        model: string,
        opts: {
          until?: number;
          warmup?: number;
          drain?: true | string;
          factor?: number;
          seed?: number;
          out: string;
          quiet?: boolean;
          progress: boolean;
          stats?: StatsLevel;
        } & {
          replications?: number;
          workers: number;
          level: number;
          measure?: string[];
          sample?: number;
          stdout?: boolean;
          kafka?: string;
          workTopic: string;
          resultTopic: string;
          resultTimeout: number;
        },
        command: Command,
      ) => {
        const printing = opts.sample !== undefined || opts.stdout === true;
        if (opts.kafka !== undefined) {
          await replicateOnKafka(model, opts, command, io);
          return;
        }
        if (printing && opts.replications !== undefined) {
          badArgument(
            'sim run',
            '--replications',
            opts.replications,
            'none with --sample or --stdout: they print one run',
          );
        }
        if (opts.replications !== undefined) {
          const { formatReplications, replicate } = await import('../sim/replicate/replicate.ts');
          const summary = await replicate(model, {
            replications: opts.replications,
            workers: opts.workers,
            level: opts.level,
            ...(opts.measure === undefined ? {} : { measures: opts.measure }),
            ...(opts.seed === undefined ? {} : { seed: opts.seed }),
            ...(opts.until === undefined ? {} : { until: opts.until }),
            ...(opts.stats === undefined ? {} : { stats: opts.stats }),
          });
          for (const line of formatReplications(summary)) io.out(line);
          return;
        }
        outputFolder(opts.out, { create: false });
        const { demoProgressBar } = await import('./demo/demo-progress.ts');
        const bar = opts.progress && opts.quiet !== true && !printing ? await demoProgressBar() : null;
        // Loaded here, not at start-up: every other command (replications too) starts without the sinks' modules.
        const { formatSummary, runModel } = await import('../sim/model/run.ts');
        // SIGTERM (a service manager, a container stopping, `kill`): the run stops after the event at hand, the sinks
        // write what they hold and close, the summary says when it stopped, and the command exits 0, as `twinstream
        // run` does. Ctrl-C interrupts (130) after closing the files.
        const stop = new AbortController();
        const onTerm = () => stop.abort();
        process.on('SIGTERM', onTerm);
        let summary: Awaited<ReturnType<typeof runModel>>;
        try {
          summary = await runModel(model, {
            ...(opts.stats === undefined ? {} : { stats: opts.stats }),
            ...(opts.until === undefined ? {} : { until: opts.until }),
            ...(opts.factor === undefined ? {} : { factor: opts.factor }),
            ...(opts.seed === undefined ? {} : { seed: opts.seed }),
            ...(opts.warmup === undefined ? {} : { warmup: opts.warmup }),
            ...(opts.drain === undefined ? {} : { drain: opts.drain === true ? true : duration(opts.drain) }),
            ...(opts.sample === undefined ? {} : { sample: opts.sample }),
            ...(opts.stdout === true ? { stdout: true } : {}),
            ...(bar === null ? {} : { onProgress: (p) => bar.update(p) }),
            outDir: opts.out,
            print: io.out,
            signal: stop.signal,
          });
        } finally {
          bar?.stop();
          process.off('SIGTERM', onTerm);
        }
        if (opts.sample !== undefined && (summary.printed ?? 0) < opts.sample) {
          io.err(`sample ended at until with ${summary.printed ?? 0} of ${opts.sample} events`);
        }
        // The JSON lines own standard output: the summary goes to standard error.
        const say = printing ? io.err : io.out;
        if (opts.quiet !== true) for (const line of formatSummary(summary)) say(line);
      },
    );
  addAnalysisCommands(sim, io);
  addWorkerCommand(sim, io);
  const collect = (v: string, all: string[]) => [...all, v];
  program
    .command('module')
    .description('pipe modules')
    .command('run')
    .description('run a module file against the streams of a PipeServer (token from TWINSTREAM_PIPE_TOKEN)')
    .argument('<file>', 'the module file: its default export is a module or a module class')
    .requiredOption('--port <port>', 'the PipeServer port', number('a port', 1, false))
    .option('--host <host>', 'the PipeServer host', '127.0.0.1')
    .option('--input <name:layout>', 'an input pipe (repeatable)', collect, [])
    .option('--output <name:layout>', 'an output pipe (repeatable)', collect, [])
    .option('--arg <name=value>', 'a module argument (repeatable)', collect, [])
    .action(
      async (file: string, opts: { port: number; host: string; input: string[]; output: string[]; arg: string[] }) => {
        const stop = new AbortController();
        process.once('SIGTERM', () => stop.abort());
        const { parsePairs, runModuleFile } = await import('../pipes/modules/run-module-file.ts');
        await runModuleFile(file, {
          host: opts.host,
          port: opts.port,
          token: process.env.TWINSTREAM_PIPE_TOKEN,
          inputs: parsePairs(opts.input, ':', 'input'),
          outputs: parsePairs(opts.output, ':', 'output'),
          args: parsePairs(opts.arg, '=', 'arg'),
          signal: stop.signal,
        });
      },
    );
  addCommandExamples(program);
  program.addHelpText(
    'after',
    '\nExit codes: 0 done; 1 input refused (bad option, model, file or --out); 2 unexpected error (a bug);\n' +
      '3 an outside failure where trying again may help (a broker away, a timeout); 130 interrupted (Ctrl-C).',
  );
  return program;
}

// `sim run --kafka`: the replications on the workers of a cluster.
async function replicateOnKafka(
  model: string,
  opts: {
    kafka?: string;
    replications?: number;
    level: number;
    measure?: string[];
    seed?: number;
    until?: number;
    stats?: StatsLevel;
    workTopic: string;
    resultTopic: string;
    resultTimeout: number;
  },
  command: Command,
  io: CliOutput,
): Promise<void> {
  if (opts.replications === undefined) {
    badArgument('sim run', '--kafka', opts.kafka, 'with --replications n: it runs replications on Kafka workers');
  }
  for (const single of ['workers', 'sample', 'stdout', 'factor', 'drain', 'warmup']) {
    if (command.getOptionValueSource(single) === 'cli') {
      badArgument(
        'sim run',
        `--${single}`,
        command.getOptionValue(single),
        single === 'workers'
          ? 'none with --kafka: start more workers (twinstream sim worker --kafka <brokers>) instead'
          : 'none with --kafka: replications run unpaced, with no I/O',
      );
    }
  }
  const { replicateOverKafka } = await import('../cluster/replicate-over-kafka.ts');
  const { formatReplications } = await import('../sim/replicate/replicate.ts');
  const summary = await replicateOverKafka(model, {
    brokers: opts.kafka!,
    replications: opts.replications,
    level: opts.level,
    workTopic: opts.workTopic,
    resultTopic: opts.resultTopic,
    resultTimeout: opts.resultTimeout * 1000,
    ...(opts.measure === undefined ? {} : { measures: opts.measure }),
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.until === undefined ? {} : { until: opts.until }),
    ...(opts.stats === undefined ? {} : { stats: opts.stats }),
  });
  for (const line of formatReplications(summary)) io.out(line);
  const who = Object.entries(summary.byWorker).map(([w, n]) => `${w} (${n})`);
  io.out(
    `workers: ${who.join(', ')}${summary.duplicates > 0 ? `; ${summary.duplicates} repeated results dropped` : ''}`,
  );
}

// `sim init`: the example model, refusing to overwrite a file unless told to.
function writeExampleModel(file: string, force: boolean): void {
  try {
    writeFileSync(file, LINE_A_YAML, { flag: force ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TwinstreamError(
      'TS_CLI_BAD_OUT',
      code === 'EEXIST'
        ? `${file} exists: give another file name, or --force to replace it`
        : `cannot write ${file} (${code ?? (error as Error).message}): give a path you may write to`,
      { cause: error, context: { out: file } },
    );
  }
}

// ../../package.json from src/cli, and from dist/cli or dist/chunks once built (scripts/build.ts).
function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}
