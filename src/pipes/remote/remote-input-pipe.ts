import type { TwinstreamError } from '../../errors.ts';
import type { Block } from '../block.ts';
import { type FlatBlock, flatten } from '../flat-block.ts';
import type { DataArray, Layout } from '../layout.ts';
import { LocalPipe } from '../local-pipe.ts';
import type { InputPipe, ReadOptions } from '../pipe.ts';
import { RemoteConnection, type RemotePipeOptions } from './remote-connection.ts';
import { decodeData, encodeNumber, FRAME } from './wire.ts';

/**
 * Reads a pipe served by a `PipeServer` (over TCP), with the `InputPipe` API. Rows arrive into a local buffer; what
 * you `consume` is reported to the server, which only then drops those rows. If this process dies, the next reader
 * of the stream gets exactly the rows not consumed; if the connection drops, it is made again and the rows already
 * here are not repeated (timestamps strictly increase, so a resent row is recognised).
 *
 * @example
 * import { RemoteInputPipe } from 'twinstream/pipes';
 * const input = new RemoteInputPipe({ port: 7001, stream: 'power', layout: 'float32_3' });
 * await input.connect();
 * const block = await input.read();
 * input.consume(block.timestamps.length);
 */
export class RemoteInputPipe<D extends DataArray = DataArray> implements InputPipe<D> {
  readonly name: string;
  readonly layout: Layout;
  readonly #local: LocalPipe<D>;
  readonly #conn: RemoteConnection;
  /** The last read (views, valid until consumed) and how much of it was consumed since. */
  #view: Block<D> | null = null;
  #viewConsumed = 0;
  /** Timestamp of the last row consumed: what the server is told. */
  #through = Number.NEGATIVE_INFINITY;

  constructor(options: RemotePipeOptions) {
    // Bounded by the served pipe: the server sends at most what it holds unconsumed (its own writeLimit).
    this.#local = new LocalPipe<D>({
      layout: options.layout,
      name: options.stream,
      writeLimit: Number.MAX_SAFE_INTEGER,
    });
    this.layout = this.#local.layout;
    this.name = options.stream;
    this.#conn = new RemoteConnection(
      options,
      { role: 'read', stream: options.stream, layout: this.layout.name },
      {
        onWelcome: () => this.#report(),
        onFrame: (f) => this.#frame(f),
        onFail: (e) => this.#local.fail(e),
      },
    );
  }

  get endOfInterval(): boolean {
    return this.#local.endOfInterval;
  }

  get endOfStream(): boolean {
    return this.#local.endOfStream;
  }

  get closed(): boolean {
    return this.#local.closed;
  }

  connect(): Promise<void> {
    return this.#conn.open();
  }

  read(options?: { flatten?: false }): Promise<Block<D>>;
  read(options: { flatten: true }): Promise<FlatBlock>;
  read(options?: ReadOptions): Promise<Block<D> | FlatBlock>;
  async read(options?: ReadOptions): Promise<Block<D> | FlatBlock> {
    const block = await this.#local.read();
    this.#view = block;
    this.#viewConsumed = 0;
    return options?.flatten === true ? flatten(block, this.layout.width) : block;
  }

  consume(rows: number): void {
    const before = this.#local.unconsumed;
    this.#local.consume(rows);
    const k = before - this.#local.unconsumed;
    if (k === 0 || this.#view === null) return;
    this.#viewConsumed += k;
    this.#through = this.#view.timestamps[this.#viewConsumed - 1]!;
    this.#report();
  }

  consumeAll(): void {
    this.consume(Number.MAX_SAFE_INTEGER);
  }

  rereadLast(): void {
    this.#local.rereadLast();
  }

  isEmpty(): Promise<boolean> {
    return this.#local.isEmpty();
  }

  notEmpty(): Promise<boolean> {
    return this.#local.notEmpty();
  }

  /** Stops reading: the rows not consumed stay with the server for the next reader. */
  async close(): Promise<void> {
    this.#conn.end();
    await this.#local.close();
  }

  /** Drops the connection at once, as a crash would (for tests of recovery). */
  destroy(): void {
    this.#conn.destroy();
  }

  #report(): void {
    // While disconnected the report waits; after every welcome it goes out again (the server may have missed it).
    if (!this.#conn.ready || this.#through === Number.NEGATIVE_INFINITY) return;
    this.#conn.send(encodeNumber(FRAME.consumed, this.#through));
  }

  #frame(f: Uint8Array): void {
    try {
      switch (f[4]) {
        case FRAME.data: {
          const { block } = decodeData(this.layout, f);
          // After a reconnection the server sends again what it had sent: keep only rows newer than ours.
          const last = this.#local.lastTimestamp;
          let from = 0;
          while (from < block.timestamps.length && block.timestamps[from]! <= last) from++;
          if (from === block.timestamps.length) return;
          const w = this.layout.width;
          this.#local.writeNowait({
            timestamps: block.timestamps.subarray(from),
            data: block.data.subarray(from * w) as DataArray,
          });
          return;
        }
        case FRAME.interval:
          this.#local.closeInterval();
          return;
        case FRAME.close:
          // The connection stays: consumption reports still go to the server until this pipe is closed.
          this.#local.close();
          return;
      }
    } catch (e) {
      this.#local.fail(e as TwinstreamError);
    }
  }
}
