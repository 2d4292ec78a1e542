import type { WebSocket } from 'ws';
import type { StreamOptions } from '../../core/stream.ts';
import { badArgument } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import { abortableSleep } from '../source/abortable-sleep.ts';
import { ConnectorSource } from '../source/connector-source.ts';
import type { PayloadFormat } from '../source/decode-payload.ts';
import { attachIntake } from './message-intake.ts';

/** How `Stream.fromWebSocket` connects. */
export interface FromWebSocketOptions {
  /** How a message becomes an element. Default `'json'`. */
  value?: PayloadFormat;
  /** The wait before connecting again after a lost or refused connection. Default `'1s'`. */
  reconnectPeriod?: Duration;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Larger messages close the connection (then reconnects), counted. Default 1 MiB. */
  maxMessageBytes?: number;
}

/**
 * A source of the messages of a WebSocket server, reconnecting after a lost connection until `stop()`. Messages
 * sent while it was away are the server's to keep; `reconnections` counts the new connections. Back pressure
 * pauses the socket; malformed messages are counted and reported on `malformedInput()`.
 *
 * @example
 * const source = Stream.fromWebSocket('ws://127.0.0.1:8081/telemetry');
 * source.sink(console.log);
 * source.start();
 */
export class WebSocketSource<T = unknown> extends ConnectorSource<T> {
  override kind = 'fromWebSocket';
  readonly url: string;
  /** Connections made after the first. */
  reconnections = 0;
  private readonly format: PayloadFormat;
  private readonly period: number;
  private readonly options: FromWebSocketOptions;
  private connectedOnce: { promise: Promise<void>; resolve(): void };

  constructor(url: string, options: FromWebSocketOptions = {}, streamOptions: StreamOptions = {}) {
    let valid = false;
    try {
      valid = /^wss?:$/.test(new URL(url).protocol);
    } catch {}
    if (!valid) badArgument('Stream.fromWebSocket', 'url', url, "a 'ws://' or 'wss://' URL");
    const format = options?.value ?? 'json';
    if (format !== 'json' && format !== 'string' && format !== 'bytes')
      badArgument('Stream.fromWebSocket', 'value', format, "'json', 'string' or 'bytes'");
    const period = toMillis(options?.reconnectPeriod ?? '1s', 'Stream.fromWebSocket: reconnectPeriod');
    super(streamOptions);
    this.url = url;
    this.format = format;
    this.period = period;
    this.options = options ?? {};
    let resolve!: () => void;
    this.connectedOnce = { promise: new Promise<void>((r) => (resolve = r)), resolve };
  }

  /** Settles once the first connection is open. */
  get ready(): Promise<void> {
    return this.connectedOnce.promise;
  }

  protected async run(signal: AbortSignal): Promise<void> {
    const { WebSocket: Client } = await importOptional('ws', 'Stream.fromWebSocket', () => import('ws'));
    let failure: unknown = null;
    let current: WebSocket | null = null;
    let first = true;
    signal.addEventListener('abort', () => current?.terminate(), { once: true });
    while (!signal.aborted && failure === null) {
      const ws: WebSocket = new Client(this.url, {
        maxPayload: this.options.maxMessageBytes ?? 1 << 20,
        ...(this.options.token === undefined ? {} : { headers: { authorization: `Bearer ${this.options.token}` } }),
      });
      current = ws;
      await new Promise<void>((resolve) => {
        ws.on('open', () => {
          if (!first) this.reconnections++;
          first = false;
          this.connectedOnce.resolve();
        });
        ws.on('error', (e: Error & { code?: string }) => {
          if (e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.reject('too-large', e.message, this.url);
          else if (e.code === 'WS_ERR_INVALID_UTF8') this.reject('invalid-utf8', e.message, this.url);
        });
        ws.on('close', () => resolve());
        attachIntake(ws, this.format, {
          accept: (v) => this.deliver(v as T),
          refuse: (reason, message, raw) => this.reject(reason, message, this.url, raw),
          failed: (e) => {
            failure ??= e;
            ws.terminate();
          },
        });
      });
      if (signal.aborted || failure !== null) break;
      await abortableSleep(this.period, signal);
    }
    if (failure !== null) throw failure;
  }
}
