import type { Command } from 'commander';
import '../core/stream.ts';
import { type CliOutput, duration, parseNumber } from './option-parsers.ts';

/**
 * Adds `twinstream dashboard <model.yaml | pipeline.yaml>`: runs a simulation model paced (`--speed` simulated
 * seconds a second) and serves its dashboard: a plot per resource series, the pipeline's metrics, sliders for the
 * arrival rates and the capacities; or runs a pipeline file and serves its dashboard outputs (one is added when the
 * file has none) until Ctrl-C.
 *
 * @example
 * addDashboardCommand(new Command('twinstream'), { out: console.log, err: console.error });
 * @internal
 */
export function addDashboardCommand(program: Command, io: CliOutput): void {
  program
    .command('dashboard')
    .description(
      'serve the live dashboard of a simulation model (plots, pipeline metrics, parameter sliders) or of a pipeline file (its plots and graph metrics)',
    )
    .argument('<file>', 'a model file or a pipeline file (YAML or JSON), told apart by their contents')
    .option('--until <time>', "model: simulated time to run (default: the model's run.until)", duration)
    .option('--speed <n>', 'model: simulated seconds per second', parseNumber('a number', 0, true), 60)
    .option('--seed <n>', 'model: random seed (default: the model’s)', parseNumber('an integer', 1, false))
    .option('--out <dir>', 'pipeline: the folder output paths are relative to', '.')
    .option('--host <address>', 'the address to bind', '127.0.0.1')
    .option('--port <n>', 'the port (0: a free one)', parseNumber('a port number', 0, false), 8080)
    .option('--token <secret>', 'the token the controls need when bound beyond loopback (default: random)')
    .action(
      async (
        model: string,
        opts: { until?: number; speed: number; seed?: number; host: string; port: number; token?: string; out: string },
      ) => {
        const { isPipelineFile, servePipelineDashboard } = await import('./pipeline-dashboard.ts');
        if (await isPipelineFile(model)) {
          const { outputFolder } = await import('./output-folder.ts');
          outputFolder(opts.out);
          await servePipelineDashboard(model, opts, io);
          return;
        }
        const { loadModel } = await import('../sim/model/run.ts');
        const { buildModel } = await import('../sim/model/build.ts');
        const { RealtimeEnvironment } = await import('../sim/realtime.ts');
        const { StreamEgress } = await import('../sim/egress/stream.ts');
        const { Stream } = await import('../core/stream.ts');
        const { serveModelDashboard } = await import('./live-dashboard.ts');
        const spec = await loadModel(model);
        const env = new RealtimeEnvironment({
          factor: 1 / opts.speed,
          ...(spec.run.logicalStartTime === undefined ? {} : { logicalStartTime: spec.run.logicalStartTime }),
        });
        buildModel(env, spec, opts.seed ?? spec.run.seed ?? 42, 'none');
        const records = new Stream<import('../sim/telemetry.ts').SimRecord>({ clock: env.clock, name: 'simulation' });
        env.setupEgress([new StreamEgress(records)], { batchSize: 5000, flushInterval: 5 });
        const dashboard = await serveModelDashboard(env, spec, records, {
          host: opts.host,
          port: opts.port,
          ...(opts.token === undefined ? {} : { token: opts.token }),
        });
        io.out(`dashboard: ${dashboard.url}  (Ctrl-C stops)`);
        try {
          await env.run({ until: opts.until === undefined ? spec.run.until : env.toUnits(opts.until, '--until') });
        } finally {
          await env.teardown();
          await dashboard.stop();
        }
        io.out(`${spec.simId}: simulated ${env.now} time units; the dashboard has stopped`);
      },
    );
}
