import type { DemoProgress } from './run-demo.ts';

/** A progress bar on a terminal: `update` with where the demo is, `stop` at the end. */
export interface DemoProgressBar {
  update(p: DemoProgress): void;
  stop(): void;
}

/**
 * A progress bar for the demo on stderr (cli-progress): simulated time out of the run, events per second of wall
 * time, rows written. Returns null when stderr is not a terminal (a pipe, a CI log), where a bar is only noise.
 *
 * @example
 * const bar = await demoProgressBar();
 * const summary = await runDemo({ onProgress: (p) => bar?.update(p) });
 * bar?.stop();
 * @internal
 */
export async function demoProgressBar(stream: NodeJS.WriteStream = process.stderr): Promise<DemoProgressBar | null> {
  if (stream.isTTY !== true) return null;
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'simulating {bar} {percentage}% | day {day} of {days} | {rate} events/s | {rows} rows written',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = {
        day: (p.simulatedSeconds / 86_400).toFixed(2),
        days: (p.until / 86_400).toFixed(2),
        rate: Math.round(p.events / Math.max(p.wallSeconds, 1e-9)).toLocaleString('en-US'),
        rows: p.records.toLocaleString('en-US'),
      };
      if (!started) {
        bar.start(p.until, 0, payload);
        started = true;
      }
      bar.update(p.simulatedSeconds, payload);
    },
    stop() {
      if (started) {
        bar.update(bar.getTotal());
        bar.stop();
      }
    },
  };
}
