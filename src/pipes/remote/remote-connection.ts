import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { ERROR_CODES, TwinstreamError, type TwinstreamErrorCode } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';
import { realClock } from '../../time/clock.ts';
import { FrameReader } from './frame-reader.ts';
import { decodeJson, encodeJson, FRAME } from './wire.ts';

/** Where a remote pipe connects, and how it behaves when the connection drops. */
export interface RemotePipeOptions {
  /** Default `127.0.0.1`. */
  readonly host?: string;
  readonly port: number;
  /** The stream name the server serves. */
  readonly stream: string;
  readonly layout: string;
  readonly token?: string;
  /** Wait between reconnection attempts, ms. Default 200. */
  readonly retryMs?: number;
  /** Give up (the pipe fails) after this long without a connection, ms. Default 30,000. */
  readonly reconnectTimeoutMs?: number;
  /** Largest frame accepted from the server, header included. Default 16 MiB. */
  readonly maxFrameBytes?: number;
  /** As the server's: `tcp` (default) or `websocket` (`ws://host:port/`). */
  readonly transport?: 'tcp' | 'websocket';
}

// ws, loaded on the first WebSocket connection only.
let wsModule: typeof import('ws') | null = null;

/**
 * One client connection to a `PipeServer`, made again when it drops (after `retryMs`, until `reconnectTimeoutMs`).
 * `onWelcome` runs after every hello is answered, so the pipe can resend or resume; `onFrame` gets the frames after.
 * An error frame from the server fails the pipe: it names what the server refused.
 */
export class RemoteConnection {
  readonly #options: RemotePipeOptions;
  readonly #hello: Record<string, unknown>;
  readonly #onWelcome: (welcome: Record<string, unknown>) => void;
  readonly #onFrame: (f: Uint8Array) => void;
  readonly #onFail: (e: TwinstreamError) => void;
  #socket: Duplex | null = null;
  #ready = false;
  #stopped = false;
  #since = 0;

  constructor(
    options: RemotePipeOptions,
    hello: Record<string, unknown>,
    handlers: {
      onWelcome: (welcome: Record<string, unknown>) => void;
      onFrame: (f: Uint8Array) => void;
      onFail: (e: TwinstreamError) => void;
    },
  ) {
    this.#options = options;
    this.#hello = hello;
    this.#onWelcome = handlers.onWelcome;
    this.#onFrame = handlers.onFrame;
    this.#onFail = handlers.onFail;
  }

  /** True between a welcome and the connection's end. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Sends a frame if connected; returns false when the socket asks the sender to wait (or is down). */
  send(frame: Uint8Array): boolean {
    if (!this.#ready || this.#socket === null) return false;
    return this.#socket.write(frame);
  }

  /** Resolves when the socket drained (or dropped). */
  drained(): Promise<void> {
    const s = this.#socket;
    if (s === null || !this.#ready || !s.writableNeedDrain) return Promise.resolve();
    return new Promise((r) => {
      s.once('drain', r);
      s.once('close', r);
    });
  }

  /** Connects; resolves at the first welcome, rejects if the first connection fails for good. */
  async open(): Promise<void> {
    this.#since = realClock.now();
    if (this.#options.transport === 'websocket')
      wsModule ??= await importOptional('ws', 'a remote pipe over WebSocket', () => import('ws'));
    return new Promise((resolve, reject) => this.#dial(resolve, reject));
  }

  /** Ends the connection for good (after what was sent is flushed). */
  end(): void {
    this.#stopped = true;
    this.#ready = false;
    this.#socket?.end();
  }

  /** Drops the connection at once, as a crash would (no more reconnection). */
  destroy(): void {
    this.#stopped = true;
    this.#ready = false;
    this.#socket?.destroy();
  }

  #dial(resolve?: () => void, reject?: (e: unknown) => void): void {
    const o = this.#options;
    const hello = () => encodeJson(FRAME.hello, { v: 1, ...this.#hello, token: o.token });
    let socket: Duplex;
    if (o.transport === 'websocket') {
      const ws = new wsModule!.WebSocket(`ws://${o.host ?? '127.0.0.1'}:${o.port}/`, {
        maxPayload: o.maxFrameBytes ?? 16 * 1024 * 1024,
      });
      socket = wsModule!.createWebSocketStream(ws);
      // The stream holds writes until the WebSocket is open.
      socket.write(hello());
    } else {
      const tcp = connect({ host: o.host ?? '127.0.0.1', port: o.port });
      tcp.setNoDelay(true);
      tcp.on('connect', () => tcp.write(hello()));
      socket = tcp;
    }
    this.#socket = socket;
    const reader = new FrameReader(o.maxFrameBytes ?? 16 * 1024 * 1024);
    let failed = false;
    socket.on('data', (chunk) => {
      reader.push(chunk, (f) => {
        if (f[4] === FRAME.error) {
          const { code, message } = decodeJson(f);
          failed = true;
          // The peer's code is outside data: only a known code is kept, anything else is a failed pipe.
          const known = typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
          const e = new TwinstreamError(known ? (code as TwinstreamErrorCode) : 'TS_PIPE_FAILED', String(message), {
            context: { stream: o.stream, peerCode: code },
          });
          this.destroy();
          this.#onFail(e);
          reject?.(e);
        } else if (f[4] === FRAME.welcome) {
          this.#ready = true;
          this.#since = realClock.now();
          this.#onWelcome(decodeJson(f));
          resolve?.();
        } else this.#onFrame(f);
      });
    });
    socket.on('error', () => {});
    // A WebSocket stream only ends when the connection drops; make it close, as a TCP socket does.
    socket.on('end', () => socket.destroy());
    socket.on('close', () => {
      if (this.#socket !== socket) return;
      this.#ready = false;
      if (this.#stopped || failed) return;
      if (realClock.now() - this.#since > (o.reconnectTimeoutMs ?? 30_000)) {
        const e = new TwinstreamError(
          'TS_PIPE_DISCONNECTED',
          `remote pipe "${o.stream}" at ${o.host ?? '127.0.0.1'}:${o.port}: no connection for ` +
            `${o.reconnectTimeoutMs ?? 30_000} ms`,
        );
        this.#onFail(e);
        reject?.(e);
        return;
      }
      realClock.setTimer(o.retryMs ?? 200, () => {
        if (!this.#stopped) this.#dial(resolve, reject);
      });
    });
  }
}
