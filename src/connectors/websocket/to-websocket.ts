import type { WebSocket } from 'ws';
import { type Metadata, releaseRefs, retainRefs } from '../../core/refcount.ts';
import { type Pushed, Stream } from '../../core/stream.ts';
import { badArgument, requireInteger, TwinstreamError } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';

/** How `toWebSocket` sends. */
export interface ToWebSocketOptions {
  /** Sent as `Authorization: Bearer <token>` when connecting. */
  token?: string;
  /** Messages written but not yet handed to the operating system before the sink pushes back. Default 1024. */
  maxInFlight?: number;
}

/**
 * A sink sending every element as one text message (JSON unless a string; a Buffer goes as binary) to a
 * WebSocket server. It connects on the first element; an element is held until ws has written it to the socket,
 * and at most `maxInFlight` wait. A lost connection fails the sink with `TS_WEBSOCKET_SEND` (WebSocket has no
 * acknowledgement to resend from). The end of the stream waits for the writes, then closes the connection.
 *
 * @example readings.toWebSocket('ws://127.0.0.1:8081/telemetry');
 */
export class WebSocketSinkNode extends Stream<unknown> {
  override kind = 'toWebSocket';
  readonly url: string;
  /** Messages written. */
  sent = 0;
  private readonly options: ToWebSocketOptions;
  private readonly maxInFlight: number;
  private ws: WebSocket | null = null;
  private opening: Promise<WebSocket> | null = null;
  private pending = 0;
  private waiters: (() => void)[] = [];
  private failure: unknown = null;

  constructor(upstream: Stream<any>, url: string, options: ToWebSocketOptions = {}) {
    let valid = false;
    try {
      valid = /^wss?:$/.test(new URL(url).protocol);
    } catch {}
    if (!valid) badArgument('toWebSocket', 'url', url, "a 'ws://' or 'wss://' URL");
    const maxInFlight = options?.maxInFlight ?? 1024;
    requireInteger('toWebSocket', 'maxInFlight', maxInFlight, 1);
    super({ clock: upstream.clock });
    this.url = url;
    this.options = options ?? {};
    this.maxInFlight = maxInFlight;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    if (this.failure !== null) throw this.failure;
    const data = typeof x === 'string' || Buffer.isBuffer(x) ? x : JSON.stringify(x);
    if (data === undefined) throw new TwinstreamError('TS_UNSENDABLE_ELEMENT', `toWebSocket: ${typeof x} is not JSON`);
    retainRefs(metadata);
    this.pending++;
    const ws = this.ws;
    if (ws !== null) this.write(ws, data, metadata);
    else {
      this.opening ??= this.open();
      this.opening.then(
        (open) => this.write(open, data, metadata),
        () => this.settle(),
      );
    }
    if (this.pending < this.maxInFlight) return;
    return new Promise<void>((r) => this.waiters.push(r)).then(() => {
      if (this.failure !== null) throw this.failure;
    });
  }

  private write(ws: WebSocket, data: string | Buffer, metadata: Metadata | undefined): void {
    ws.send(data, (error) => {
      if (error) this.failure ??= this.lost(error);
      else {
        this.sent++;
        releaseRefs(metadata);
      }
      this.settle();
    });
  }

  private settle(): void {
    this.pending--;
    const w = this.waiters;
    if (w.length > 0 && (this.pending < this.maxInFlight || this.pending === 0 || this.failure !== null)) {
      this.waiters = [];
      for (const r of w) r();
    }
  }

  private async open(): Promise<WebSocket> {
    const { WebSocket: Client } = await importOptional('ws', 'toWebSocket', () => import('ws'));
    const ws: WebSocket = new Client(this.url, {
      ...(this.options.token === undefined ? {} : { headers: { authorization: `Bearer ${this.options.token}` } }),
    });
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
    } catch (e) {
      this.failure ??= this.lost(e);
      throw this.failure;
    }
    ws.on('error', () => {});
    ws.on('close', () => {
      if (this.ws === ws) this.failure ??= this.lost(new Error('the server closed the connection'));
      this.ws = null;
    });
    this.ws = ws;
    return ws;
  }

  private lost(e: unknown): TwinstreamError {
    return new TwinstreamError(
      'TS_WEBSOCKET_SEND',
      `toWebSocket: ${this.url}: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }

  /** Resolves when every element so far is written. */
  async flush(): Promise<void> {
    while (this.pending > 0 && this.failure === null) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failure !== null) throw this.failure;
  }

  override whenIdle(): Promise<void> | null {
    return this.pending === 0 ? null : this.flush();
  }

  protected override flushOnEnd(): Pushed {
    return this.flush().finally(() => {
      const ws = this.ws;
      this.ws = null;
      ws?.close();
    });
  }
}

declare module '../../core/stream.ts' {
  interface Stream<T> {
    /**
     * Sends every element as a WebSocket message (JSON unless a string or Buffer). Returns the sink node.
     * @example readings.toWebSocket('ws://127.0.0.1:8081/telemetry')
     */
    toWebSocket(url: string, options?: ToWebSocketOptions): WebSocketSinkNode;
  }
}

Stream.register('toWebSocket', function toWebSocket(this: Stream<any>, url: string, options?: ToWebSocketOptions) {
  return new WebSocketSinkNode(this, url, options);
});
