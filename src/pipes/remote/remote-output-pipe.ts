import { randomUUID } from 'node:crypto';
import { requireInteger, TwinstreamError } from '../../errors.ts';
import type { Block, BlockInput } from '../block.ts';
import { toBlock } from '../block.ts';
import { type Layout, parseLayout } from '../layout.ts';
import type { OutputPipe } from '../pipe.ts';
import { WriteCache } from '../write-cache.ts';
import { RemoteConnection, type RemotePipeOptions } from './remote-connection.ts';
import { encodeData, encodeNumber, FRAME, HEADER_BYTES } from './wire.ts';

/** Options of a `RemoteOutputPipe`. */
export interface RemoteOutputPipeOptions extends RemotePipeOptions {
  /** Frames sent and not yet acknowledged before `write` waits. Default 8 (Joule allows 5 chunks in flight). */
  readonly window?: number;
}

/**
 * Writes into a pipe served by a `PipeServer` (over TCP), with the `OutputPipe` API. Each block becomes one or more
 * data frames; at most `window` frames are unacknowledged, so `write` waits when the server's pipe is behind. If the
 * connection drops it is made again and the unacknowledged frames are sent again; the server skips any it already
 * holds, so nothing is lost or written twice.
 *
 * @example
 * import { RemoteOutputPipe } from 'twinstream/pipes';
 * const out = new RemoteOutputPipe({ port: 7001, stream: 'power', layout: 'float32_3' });
 * await out.connect();
 * await out.write([[1_000_000, 1, 2, 3]]);
 * await out.close();
 */
export class RemoteOutputPipe implements OutputPipe {
  readonly name: string;
  readonly layout: Layout;
  readonly #window: number;
  readonly #conn: RemoteConnection;
  /** Frames sent and not acknowledged, oldest first. */
  readonly #unacked: { seq: number; frame: Uint8Array }[] = [];
  #seq = 0;
  #last = Number.NEGATIVE_INFINITY;
  #rowsPerFrame: number;
  #opened = false;
  #cache: WriteCache | null = null;
  #failure: TwinstreamError | null = null;
  #closing = false;
  #waiters: (() => void)[] = [];
  readonly #subscribers: OutputPipe[] = [];

  constructor(options: RemoteOutputPipeOptions) {
    this.layout = parseLayout(options.layout);
    this.name = options.stream;
    this.#window = options.window ?? 8;
    requireInteger(`RemoteOutputPipe ${this.name}`, 'window', this.#window, 1);
    requireInteger(`RemoteOutputPipe ${this.name}`, 'port', options.port, 1);
    this.#rowsPerFrame = Math.floor((16 * 1024 * 1024 - HEADER_BYTES - 8) / this.layout.rowBytes);
    this.#conn = new RemoteConnection(
      options,
      { role: 'write', stream: options.stream, layout: this.layout.name, session: randomUUID() },
      {
        onWelcome: (w) => {
          const max = Number(w.maxFrameBytes);
          this.#rowsPerFrame = Math.max(1, Math.floor((max - HEADER_BYTES - 8) / this.layout.rowBytes));
          this.#acked(Number(w.acked));
          for (const u of this.#unacked) this.#conn.send(u.frame);
        },
        onFrame: (f) => {
          if (f[4] === FRAME.ack) this.#acked(new DataView(f.buffer).getFloat64(HEADER_BYTES, true));
        },
        onFail: (e) => {
          this.#failure = e;
          this.#wake();
        },
      },
    );
  }

  /** Connects to the server; `write` connects on first use otherwise. */
  connect(): Promise<void> {
    this.#opened = true;
    return this.#conn.open();
  }

  write(input: BlockInput): void | Promise<void> {
    this.#check();
    const block = toBlock(this.layout, input, this.#last, `write to remote pipe "${this.name}"`);
    const n = block.timestamps.length;
    if (n === 0) return;
    this.#last = block.timestamps[n - 1]!;
    const waits: Promise<void>[] = [];
    for (const s of this.#subscribers) {
      const r = s.write(block);
      if (r !== undefined) waits.push(r);
    }
    if (this.#cache !== null) this.#cache.add(block, (b) => this.#frames(b));
    else this.#frames(block);
    const room = this.#room();
    if (room !== undefined) waits.push(room);
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => {});
  }

  closeInterval(): void | Promise<void> {
    this.#check();
    if (this.#last === Number.NEGATIVE_INFINITY) return;
    this.#cache?.flush((b) => this.#frames(b));
    for (const s of this.#subscribers) s.closeInterval();
    this.#enqueue(encodeNumber(FRAME.interval, ++this.#seq));
    return this.#room();
  }

  enableCache(rows: number): void {
    requireInteger(`remote pipe "${this.name}": enableCache`, 'rows', rows, 1);
    this.#cache?.flush((b) => this.#frames(b));
    this.#cache = new WriteCache(this.layout, rows);
  }

  flushCache(): void | Promise<void> {
    this.#cache?.flush((b) => this.#frames(b));
    return this.#room();
  }

  subscribe(subscriber: OutputPipe): () => void {
    this.#subscribers.push(subscriber);
    return () => {
      const i = this.#subscribers.indexOf(subscriber);
      if (i >= 0) this.#subscribers.splice(i, 1);
    };
  }

  /** Sends what is cached, closes the remote pipe, and resolves when the server has everything. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#cache?.flush((b) => this.#frames(b));
    this.#closing = true;
    this.#enqueue(encodeNumber(FRAME.close, ++this.#seq));
    await Promise.all(this.#subscribers.map((s) => s.close()));
    while (this.#unacked.length > 0 && this.#failure === null) await new Promise<void>((r) => this.#waiters.push(r));
    this.#conn.end();
    if (this.#failure !== null) throw this.#failure;
  }

  /** Drops the connection without closing the remote pipe, as a crash would (for tests of recovery). */
  destroy(): void {
    this.#conn.destroy();
  }

  #frames(block: Block): void {
    const n = block.timestamps.length;
    const w = this.layout.width;
    for (let from = 0; from < n; from += this.#rowsPerFrame) {
      const to = Math.min(n, from + this.#rowsPerFrame);
      const part = { timestamps: block.timestamps.subarray(from, to), data: block.data.subarray(from * w, to * w) };
      this.#enqueue(encodeData(this.layout, ++this.#seq, part));
    }
  }

  #enqueue(frame: Uint8Array): void {
    this.#unacked.push({ seq: this.#seq, frame });
    if (!this.#opened) this.connect().catch(() => {});
    else this.#conn.send(frame);
  }

  #acked(seq: number): void {
    let k = 0;
    while (k < this.#unacked.length && this.#unacked[k]!.seq <= seq) k++;
    if (k > 0) {
      this.#unacked.splice(0, k);
      this.#wake();
    }
  }

  #room(): Promise<void> | undefined {
    if (this.#unacked.length < this.#window && this.#failure === null) return undefined;
    return (async () => {
      while (this.#unacked.length >= this.#window && this.#failure === null) {
        await new Promise<void>((r) => this.#waiters.push(r));
      }
      if (this.#failure !== null) throw this.#failure;
    })();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const r of w) r();
  }

  #check(): void {
    if (this.#failure !== null) throw this.#failure;
    if (this.#closing) {
      throw new TwinstreamError(
        'TS_PIPE_CLOSED',
        `remote pipe "${this.name}" is closed: cannot write to a closed pipe`,
      );
    }
  }
}
