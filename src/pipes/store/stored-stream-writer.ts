import { TwinstreamError } from '../../errors.ts';
import type { BlockInput } from '../block.ts';
import type { Layout } from '../layout.ts';
import type { OutputPipe } from '../pipe.ts';
import type { StreamStore } from './stream-store.ts';

/**
 * An `OutputPipe` that inserts into a stored stream: rows written without a break in between extend one interval;
 * `closeInterval` makes the next rows start another. Rows that overlap stored data are refused (`TS_STORE_OVERLAP`).
 *
 * @example
 * import { StoredStreamWriter, StreamStore } from 'twinstream/pipes';
 * const store = await StreamStore.open({ path: './data' });
 * store.createStream('/plant/power', 'float64_1');
 * const out = new StoredStreamWriter(store, '/plant/power');
 * await out.write([[1, 0.5]]);
 */
export class StoredStreamWriter implements OutputPipe {
  readonly name: string;
  readonly layout: Layout;
  readonly #store: StreamStore;
  #continue = false;
  #closed = false;
  readonly #subscribers: OutputPipe[] = [];

  constructor(store: StreamStore, path: string) {
    this.#store = store;
    this.name = path;
    this.layout = store.layout(path);
  }

  write(block: BlockInput): void {
    if (this.#closed) throw new TwinstreamError('TS_PIPE_CLOSED', `writer of ${this.name} is closed`);
    this.#store.insert(this.name, block, { continueInterval: this.#continue });
    this.#continue = true;
    for (const s of this.#subscribers) s.write(block);
  }

  closeInterval(): void {
    this.#continue = false;
    for (const s of this.#subscribers) s.closeInterval();
  }

  // Every insert is its own transaction already: there is nothing to cache.
  enableCache(): void {}
  flushCache(): void {}

  subscribe(subscriber: OutputPipe): () => void {
    this.#subscribers.push(subscriber);
    return () => {
      const i = this.#subscribers.indexOf(subscriber);
      if (i >= 0) this.#subscribers.splice(i, 1);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#subscribers.map((s) => s.close()));
  }
}
