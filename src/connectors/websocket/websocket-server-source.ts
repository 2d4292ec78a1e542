import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { StreamOptions } from '../../core/stream.ts';
import { badArgument, requireInteger, TwinstreamError } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';
import { ConnectorSource } from '../source/connector-source.ts';
import type { PayloadFormat } from '../source/decode-payload.ts';
import { attachIntake } from './message-intake.ts';

/** Where `Stream.fromWebSocketServer` listens and what it accepts. */
export interface WebSocketServerOptions {
  /** Default `'127.0.0.1'`. */
  host?: string;
  /** Default 0: a free port (`await source.listening`). */
  port?: number;
  /** The path clients connect to. Default `'/'`. */
  path?: string;
  /** When set, the upgrade request must carry `Authorization: Bearer <token>` (else 401). */
  token?: string;
  /** How a message becomes an element. Default `'json'`. */
  value?: PayloadFormat;
  /** Larger messages close their connection (code 1009) and are counted. Default 1 MiB. */
  maxMessageBytes?: number;
  /** Open connections at most; more are refused with 503. Default 256. */
  maxConnections?: number;
}

/**
 * A WebSocket server whose clients' messages become elements (each connection's in order). While the graph
 * pushes back, the connections that deliver are paused (TCP flow control reaches the clients). A message that
 * does not decode is counted and reported on `malformedInput()`, and the connection goes on; an oversized one or
 * invalid UTF-8 in a text frame closes that connection (the protocol's rule), counted too. `stop()` closes every
 * connection and the server.
 *
 * @example
 * const source = Stream.fromWebSocketServer({ port: 8081, path: '/telemetry' });
 * source.sink(console.log);
 * source.start();
 */
export class WebSocketServerSource<T = unknown> extends ConnectorSource<T> {
  override kind = 'fromWebSocketServer';
  /** Connections open now. */
  connections = 0;
  private readonly o: Required<Omit<WebSocketServerOptions, 'token'>> & { token: string | undefined };
  private address: { promise: Promise<AddressInfo>; resolve(a: AddressInfo): void } | null = null;

  constructor(options: WebSocketServerOptions = {}, streamOptions: StreamOptions = {}) {
    const o = options ?? {};
    const port = o.port ?? 0;
    requireInteger('Stream.fromWebSocketServer', 'port', port, 0);
    if (port > 65535) badArgument('Stream.fromWebSocketServer', 'port', port, 'a port from 0 to 65535');
    const path = o.path ?? '/';
    if (typeof path !== 'string' || !path.startsWith('/'))
      badArgument('Stream.fromWebSocketServer', 'path', path, "a path starting with '/'");
    const value = o.value ?? 'json';
    if (value !== 'json' && value !== 'string' && value !== 'bytes')
      badArgument('Stream.fromWebSocketServer', 'value', value, "'json', 'string' or 'bytes'");
    const maxMessageBytes = o.maxMessageBytes ?? 1 << 20;
    requireInteger('Stream.fromWebSocketServer', 'maxMessageBytes', maxMessageBytes, 1);
    const maxConnections = o.maxConnections ?? 256;
    requireInteger('Stream.fromWebSocketServer', 'maxConnections', maxConnections, 1);
    super(streamOptions);
    this.o = { host: o.host ?? '127.0.0.1', port, path, token: o.token, value, maxMessageBytes, maxConnections };
  }

  /** The address the server listens on, once started. */
  get listening(): Promise<AddressInfo> {
    this.address ??= deferredAddress();
    return this.address.promise;
  }

  protected async run(signal: AbortSignal): Promise<void> {
    const { WebSocketServer } = await importOptional('ws', 'Stream.fromWebSocketServer', () => import('ws'));
    const o = this.o;
    // Slow clients: an upgrade request must arrive whole within 10 s.
    const http = createServer({ headersTimeout: 10_000, requestTimeout: 10_000 }, (_req, res) =>
      res.writeHead(426, { connection: 'close' }).end(),
    );
    const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxMessageBytes });
    let failure: unknown = null;
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    const refuseUpgrade = (socket: Socket, status: string, reason: string, message: string) => {
      this.reject(reason, message, `ws ${socket.remoteAddress ?? '?'}`);
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    };
    http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      socket.on('error', () => {});
      const path = (req.url ?? '/').split('?')[0];
      if (path !== o.path) return refuseUpgrade(socket, '404 Not Found', 'bad-request', `no such path ${path}`);
      if (o.token !== undefined && req.headers.authorization !== `Bearer ${o.token}`)
        return refuseUpgrade(socket, '401 Unauthorized', 'unauthorized', 'a connection without the bearer token');
      if (this.connections >= o.maxConnections)
        return refuseUpgrade(socket, '503 Service Unavailable', 'overloaded', 'too many connections');
      wss.handleUpgrade(req, socket, head, (ws) => {
        this.connections++;
        const from = `ws ${socket.remoteAddress ?? '?'}`;
        ws.on('close', () => this.connections--);
        ws.on('error', (e: Error & { code?: string }) => {
          const reason =
            e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
              ? 'too-large'
              : e.code === 'WS_ERR_INVALID_UTF8'
                ? 'invalid-utf8'
                : 'bad-frame';
          this.reject(reason, `connection closed: ${e.message}`, from);
        });
        attachIntake(ws, o.value, {
          accept: (v) => this.deliver(v as T),
          refuse: (reason, message, raw) => this.reject(reason, message, from, raw),
          failed: (e) => {
            failure ??= e;
            finish();
          },
        });
      });
    });
    http.on('clientError', (_e, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      http.once('error', (e) =>
        reject(new TwinstreamError('TS_NET_LISTEN', `listening on ${o.host}:${o.port} failed: ${e.message}`)),
      );
      http.listen(o.port, o.host, resolve);
    });
    this.address ??= deferredAddress();
    this.address.resolve(http.address() as AddressInfo);
    signal.addEventListener('abort', () => finish(), { once: true });
    await finished;
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    http.close();
    http.closeAllConnections();
    if (failure !== null) throw failure;
  }
}

/** @internal */
function deferredAddress(): { promise: Promise<AddressInfo>; resolve(a: AddressInfo): void } {
  let resolve!: (a: AddressInfo) => void;
  const promise = new Promise<AddressInfo>((r) => (resolve = r));
  return { promise, resolve };
}
