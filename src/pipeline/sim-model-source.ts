import { Source } from '../core/source.ts';
import type { EgressSink } from '../sim/egress/egress.ts';
import { loadModel, runModel } from '../sim/model/run.ts';
import type { SimRecord } from '../sim/telemetry.ts';

/** How a {@link SimModelSource} runs its model. */
export interface SimModelSourceOptions {
  /** Simulated time to run, overriding the model's `run.until`: seconds or a duration string. */
  until?: number | string;
  /** The seed, overriding `run.seed`. */
  seed?: number;
  /** Wall time per simulated time, overriding `run.factor` (0: as fast as the CPU allows). */
  factor?: number;
  /** Which records pass: telemetry samples, lifecycle events, or both (default). */
  streams?: readonly ('telemetry' | 'event')[];
}

/**
 * A source of the records of a simulation model file (see docs/sim.md): its telemetry samples and lifecycle events
 * as `SimRecord`s (`stream_type`, `path_id` or `key`, `value`, `sim_ts`, `timestamp`), emitted with back pressure
 * (a slow pipeline holds the simulation back). The model's own egress sinks are left out: the pipeline's outputs
 * say where the records go. The run ends when the model's `until` is reached, its `run.stop` happens, or `stop()`
 * is called.
 *
 * @example
 * import { SimModelSource } from 'twinstream/pipeline';
 * const source = new SimModelSource('line-a.yaml', { until: '1h', streams: ['telemetry'] });
 * source.sink(console.log);
 * source.start();
 * await source.done;
 */
export class SimModelSource extends Source<SimRecord> {
  override kind = 'sim';
  readonly model: string;
  private readonly options: SimModelSourceOptions;

  constructor(model: string, options: SimModelSourceOptions = {}) {
    super({ name: `sim ${model}` });
    this.model = model;
    this.options = options;
  }

  protected async run(signal: AbortSignal): Promise<void> {
    const spec = await loadModel(this.model);
    const streams = this.options.streams;
    const all = streams === undefined || streams.length === 2;
    // Only the records: the model's files and brokers are the concern of its own runs (`twinstream sim run`).
    const egress = spec.egress === undefined ? undefined : { ...spec.egress, sinks: [] };
    const into: EgressSink = {
      name: 'pipeline',
      write: (batch) => {
        for (let i = 0; i < batch.length; i++) {
          const r = batch[i]!;
          if (!all && !streams.includes(r.stream_type)) continue;
          const pushed = this.emit(r);
          if (pushed !== undefined) return pushed.then(() => into.write(batch.slice(i + 1)));
        }
      },
    };
    await runModel(
      { ...spec, ...(egress === undefined ? {} : { egress }) },
      {
        sinks: [into],
        // stop() (SIGTERM, `twinstream run --for`) ends the run where it is; what was emitted goes on downstream.
        signal,
        ...(this.options.until === undefined ? {} : { until: this.options.until }),
        ...(this.options.seed === undefined ? {} : { seed: this.options.seed }),
        ...(this.options.factor === undefined ? {} : { factor: this.options.factor }),
      },
    );
  }
}
