import { DataStreamHandler } from '../../handlers/data-stream-handler.ts';
import type { TimeIndex } from '../../time/time-index.ts';

/**
 * A data stream handler over a time index that a pipeline keeps filling (`stream.toTimeIndex`): a model reads the
 * pipeline's latest values with `getData(t)`, interpolated, while the stream runs. (`LocalHandler.set` rebuilds
 * its index on every call: fine for a few values, not for a stream.)
 *
 * @example
 * const index = readings.toTimeIndex({ columns: ['queue'], time: 's', maxRows: 20_000 });
 * const view = new StreamViewHandler(index, 'linear');
 * view.addVariable(['lathe', 'queue'], 'queue');
 * await view.start();
 * view.getData(30); // { 'lathe.queue': 2.5 }
 * @internal
 */
export class StreamViewHandler extends DataStreamHandler {
  static readonly typeName = 'stream-view';
  readonly #index: TimeIndex;

  constructor(index: TimeIndex, interpolation: string) {
    super({ interpolation });
    this.#index = index;
  }

  static streamIdentity(): string {
    return 'stream-view';
  }

  describeStream(): string {
    return "a pipeline's time index";
  }

  async start(): Promise<void> {
    this.setIndex(this.#index);
  }
}
