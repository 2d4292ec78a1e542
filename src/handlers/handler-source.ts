import { Source } from '../core/source.ts';
import type { DataStreamHandler } from './data-stream-handler.ts';

/** What a handler's stream emits: the time and every variable, keyed `"model.variable"`. */
export type HandlerSample = { t: number } & Record<string, number>;

/**
 * A source that samples a handler at given times (an array, any iterable or async iterable, such as a clock's
 * ticks): for each time it waits for the data (`waitFor`) and emits `{ t, ...getData(t) }`, so a model's inputs
 * can feed a pipeline. Made by `handler.toStream(times)`.
 *
 * @example
 * const samples = new HandlerSource(handler, [0, 1, 2]);
 * samples.sink((s) => console.log(s.t, s['room.outside']));
 * samples.start();
 */
export class HandlerSource extends Source<HandlerSample> {
  override kind = 'fromHandler';
  private readonly handler: DataStreamHandler;
  private readonly times: Iterable<number> | AsyncIterable<number>;

  constructor(handler: DataStreamHandler, times: Iterable<number> | AsyncIterable<number>) {
    super({});
    this.handler = handler;
    this.times = times;
  }

  protected async run(): Promise<void> {
    for await (const t of this.times) {
      if (this.stopping) return;
      await this.handler.waitFor(t);
      const sample = this.handler.getData(t, { t } as HandlerSample) as HandlerSample;
      const r = this.emit(sample);
      if (r !== undefined) await r;
    }
  }
}
