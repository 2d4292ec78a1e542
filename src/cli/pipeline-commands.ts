import { writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { TwinstreamError } from '../errors.ts';
import { toMillis } from '../time/duration.ts';
import { cliLogger, type LogLevel } from './cli-logger.ts';
import type { CliOutput } from './option-parsers.ts';
import { outputFolder } from './output-folder.ts';

const GRAPH_FORMATS = ['svg', 'png', 'dot', 'mermaid'] as const;
type GraphFormat = (typeof GRAPH_FORMATS)[number];

// `--for 30s`: a duration as everywhere in twinstream, kept as milliseconds.
function wallTime(value: string): number {
  try {
    return toMillis(/^\s*\d+(\.\d+)?\s*$/.test(value) ? `${value}s` : value, '--for');
  } catch {
    throw new InvalidArgumentError(`expected a duration such as 30s, 5m, 1h (or seconds), got "${value}"`);
  }
}

/**
 * Adds `twinstream run <pipeline>` (runs a declarative pipeline until its inputs end, `--for` elapses or SIGTERM)
 * and `twinstream graph <pipeline>` (draws it as SVG or PNG with graphviz, DOT or Mermaid).
 *
 * @example
 * addPipelineCommands(new Command('twinstream'), { out: console.log, err: console.error });
 * @internal
 */
export function addPipelineCommands(program: Command, io: CliOutput): void {
  program
    .command('run')
    .description('run a declarative pipeline (YAML or JSON): its inputs through its steps to its outputs')
    .argument('<pipeline>', 'the pipeline file (docs/pipelines.md)')
    .option('--out <dir>', 'the folder output paths are relative to', '.')
    .option('--for <time>', 'stop the inputs after this long (wall time), such as 30s or 5m', wallTime)
    .option('--check', 'validate the file and build its graph, then exit without running it')
    .option('--no-progress', 'no live counts on stderr (there are none when stderr is not a terminal)')
    .action(
      async (file: string, opts: { out: string; for?: number; check?: boolean; progress: boolean }, cmd: Command) => {
        const { buildPipeline, loadPipeline, runPipeline } = await import('../pipeline/index.ts');
        await provideDashboard();
        const log = await cliLogger(cmd.optsWithGlobals<{ logLevel: LogLevel }>().logLevel);
        const pipeline = await loadPipeline(file);
        if (opts.check === true) {
          await buildPipeline(pipeline, { outDir: opts.out, print: io.out });
          const s = pipeline.spec;
          io.out(
            `${file} is a valid pipeline: ${s.inputs.length} input(s), ${s.steps?.length ?? 0} step(s), ${s.outputs.length} output(s)`,
          );
          return;
        }
        outputFolder(opts.out);
        // SIGTERM (a service manager, a container stopping, `kill`): the inputs stop, the outputs finish their
        // files and flush their producers, and the command exits 0. Ctrl-C interrupts (130) after closing files.
        const stop = new AbortController();
        const onTerm = () => stop.abort();
        process.on('SIGTERM', onTerm);
        const { pipelineProgress } = await import('./pipeline-progress.ts');
        // Not over records printed to the same terminal.
        const printing = process.stdout.isTTY === true && pipeline.spec.outputs.some((o) => o.type === 'console');
        const line = opts.progress && !printing ? await pipelineProgress() : null;
        try {
          await runPipeline(pipeline, {
            outDir: opts.out,
            print: io.out,
            log,
            signal: stop.signal,
            ...(opts.for === undefined ? {} : { for: opts.for }),
            ...(line === null ? {} : { onProgress: (p) => line.update(p) }),
          });
        } finally {
          line?.stop();
          process.off('SIGTERM', onTerm);
        }
      },
    );
  program
    .command('graph')
    .description('draw a pipeline: SVG or PNG (with graphviz dot), DOT or Mermaid')
    .argument('<pipeline>', 'the pipeline file')
    .addOption(
      new Option('--format <format>', 'what to draw (default: from --out, else mermaid on stdout)').choices(
        GRAPH_FORMATS,
      ),
    )
    .option('--out <file>', 'where to write it (default: stdout for dot and mermaid, <pipeline>.svg for svg)')
    .action(async (file: string, opts: { format?: GraphFormat; out?: string }) => {
      const { buildPipeline, loadPipeline, pipelineGraph } = await import('../pipeline/index.ts');
      await provideDashboard();
      const format = opts.format ?? formatOf(opts.out);
      const built = await buildPipeline(await loadPipeline(file));
      const text = pipelineGraph(built, format === 'mermaid' ? 'mermaid' : 'dot');
      if (format === 'dot' || format === 'mermaid') {
        if (opts.out === undefined) io.out(text.trimEnd());
        else writeFileSync(opts.out, text);
        return;
      }
      const target = opts.out ?? `${basename(file, extname(file))}.${format}`;
      const { runDot } = await import('../node/visualize.ts');
      if ((await runDot(text, format, target)) === 'missing') {
        throw new TwinstreamError(
          'TS_MISSING_DEPENDENCY',
          `drawing ${format.toUpperCase()} needs graphviz's dot on the PATH (Debian: apt-get install graphviz); or use --format dot or --format mermaid`,
          { context: { package: 'graphviz' } },
        );
      }
      io.out(`wrote ${target}`);
    });
}

/**
 * Registers the live dashboard as the `dashboard` output of pipeline files (serving on its own defaults: 127.0.0.1,
 * a free port unless the file names one).
 * @internal
 */
export async function provideDashboard(defaults?: import('../dashboard/index.ts').DashboardOutputDefaults) {
  const { registerPipelineOutput } = await import('../pipeline/pipeline-outputs.ts');
  const { dashboardPipelineOutput } = await import('../dashboard/dashboard-pipeline-output.ts');
  registerPipelineOutput('dashboard', dashboardPipelineOutput(defaults));
}

function formatOf(out: string | undefined): GraphFormat {
  const ext = out === undefined ? '' : extname(out).slice(1).toLowerCase();
  if (ext === 'svg' || ext === 'png' || ext === 'dot') return ext;
  if (ext === 'gv') return 'dot';
  return 'mermaid';
}
