import type { Stream } from '../../core/stream.ts';
import type { SimRecord } from '../telemetry.ts';
import type { EgressSink } from './egress.ts';

/**
 * Emits every record into a twinstream `Stream`, so a pipeline in the same process consumes the simulation;
 * the stream's back pressure (a promise from `emit`) holds the egress queue, and so the simulation, back.
 *
 * @example
 * const records = new Stream<SimRecord>({ clock: env.clock });
 * records.filter((r) => r.stream_type === 'telemetry').sink(console.log);
 * env.setupEgress([new StreamEgress(records)]);
 */
export class StreamEgress implements EgressSink {
  readonly name = 'stream';
  readonly stream: Stream<SimRecord>;

  constructor(stream: Stream<SimRecord>) {
    this.stream = stream;
  }

  write(batch: readonly SimRecord[]): void | Promise<void> {
    for (let i = 0; i < batch.length; i++) {
      const pushed = this.stream.emit(batch[i]!);
      if (pushed !== undefined) return pushed.then(() => this.write(batch.slice(i + 1)));
    }
  }
}
