import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { WebSocket, WebSocketServer } from 'ws';
import { type Pushed, Stream } from '../../core/stream.ts';
import { badArgument, requireInteger, TwinstreamError } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';

/** Where `toWebSocketBroadcast` listens, and what it does with a client that cannot keep up. */
export interface WebSocketBroadcastOptions {
  /** Default `'127.0.0.1'`. */
  host?: string;
  /** Default 0: a free port (`await sink.listening`). */
  port?: number;
  /** The path clients connect to. Default `'/'`. */
  path?: string;
  /** When set, the upgrade request must carry `Authorization: Bearer <token>` or `?token=<token>` (else 401). */
  token?: string;
  /**
   * A slow client is one with more than `maxBufferedBytes` sent to it but not yet taken by its connection.
   * `'drop'` (default): it misses messages until it has caught up (counted in `dropped`); `'disconnect'`: it is
   * closed (code 1008, counted in `disconnected`). Either way the other clients and the pipeline never wait.
   */
  slowClients?: 'drop' | 'disconnect';
  /** Bytes a client may have pending before it counts as slow. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Clients at most; more are refused with 503. Default 256. */
  maxClients?: number;
}

/**
 * A WebSocket server that sends every element (JSON unless a string; a Buffer as binary) to every connected
 * client: live dashboards, gateways. It never pushes back: what a client cannot take is handled by the stated
 * `slowClients` policy, so one stalled browser neither slows the pipeline nor fills this process's memory (at
 * most `maxBufferedBytes` plus one message per client). The server starts when the graph starts and closes at
 * the end of the stream (or `close()`).
 *
 * @example
 * const sink = readings.toWebSocketBroadcast({ port: 8090, path: '/live', slowClients: 'disconnect' });
 * source.start();
 * console.log((await sink.listening).port);
 */
export class WebSocketBroadcastNode extends Stream<unknown> {
  override kind = 'toWebSocketBroadcast';
  /** Messages handed to clients (one per client per element). */
  sent = 0;
  /** Messages a slow client missed (`slowClients: 'drop'`). */
  dropped = 0;
  /** Slow clients closed (`slowClients: 'disconnect'`). */
  disconnected = 0;
  private readonly o: Required<Omit<WebSocketBroadcastOptions, 'token'>> & { token: string | undefined };
  private http: Server | null = null;
  private wss: WebSocketServer | null = null;
  private opening: Promise<void> | null = null;
  private address: { promise: Promise<AddressInfo>; resolve(a: AddressInfo): void; reject(e: unknown): void };

  constructor(upstream: Stream<any>, options: WebSocketBroadcastOptions = {}) {
    const o = options ?? {};
    const where = 'toWebSocketBroadcast';
    const port = o.port ?? 0;
    requireInteger(where, 'port', port, 0);
    if (port > 65535) badArgument(where, 'port', port, 'a port from 0 to 65535');
    const path = o.path ?? '/';
    if (typeof path !== 'string' || !path.startsWith('/')) badArgument(where, 'path', path, "a path starting with '/'");
    const slowClients = o.slowClients ?? 'drop';
    if (slowClients !== 'drop' && slowClients !== 'disconnect') {
      badArgument(where, 'slowClients', slowClients, "'drop' or 'disconnect'");
    }
    const maxBufferedBytes = o.maxBufferedBytes ?? 1 << 20;
    requireInteger(where, 'maxBufferedBytes', maxBufferedBytes, 1);
    const maxClients = o.maxClients ?? 256;
    requireInteger(where, 'maxClients', maxClients, 1);
    if (o.token !== undefined && (typeof o.token !== 'string' || o.token === '')) {
      badArgument(where, 'token', '(hidden)', 'a non-empty string');
    }
    super({ clock: upstream.clock });
    this.o = { host: o.host ?? '127.0.0.1', port, path, token: o.token, slowClients, maxBufferedBytes, maxClients };
    let resolve!: (a: AddressInfo) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<AddressInfo>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    this.address = { promise, resolve, reject };
    upstream.connect(this);
  }

  /** The address the server listens on, once the graph started. */
  get listening(): Promise<AddressInfo> {
    return this.address.promise;
  }

  /** Clients connected now. */
  get clients(): number {
    return this.wss?.clients.size ?? 0;
  }

  override graphStarted(): void {
    this.opening ??= this.open().catch((e) => this.address.reject(e));
  }

  override update(x: unknown): Pushed {
    const wss = this.wss;
    if (wss === null || wss.clients.size === 0) return;
    const data = typeof x === 'string' || Buffer.isBuffer(x) ? x : JSON.stringify(x);
    if (data === undefined) {
      throw new TwinstreamError('TS_UNSENDABLE_ELEMENT', `toWebSocketBroadcast: ${typeof x} is not JSON`);
    }
    const { maxBufferedBytes, slowClients } = this.o;
    for (const ws of wss.clients) {
      if (ws.readyState !== 1) continue;
      if (ws.bufferedAmount > maxBufferedBytes) {
        if (slowClients === 'drop') this.dropped++;
        else {
          this.disconnected++;
          ws.close(1008, 'too slow');
          // A client too slow to take the close frame is cut after a grace period.
          setTimeout(() => ws.terminate(), 1000).unref();
        }
        continue;
      }
      ws.send(data);
      this.sent++;
    }
  }

  private async open(): Promise<void> {
    const { WebSocketServer: Server } = await importOptional('ws', 'toWebSocketBroadcast', () => import('ws'));
    const o = this.o;
    const http = createServer({ headersTimeout: 10_000, requestTimeout: 10_000 }, (_req, res) =>
      res.writeHead(426, { connection: 'close' }).end(),
    );
    const wss: WebSocketServer = new Server({ noServer: true, maxPayload: 4096 });
    const refuse = (socket: Socket, status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    };
    http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      socket.on('error', () => {});
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== o.path) return refuse(socket, '404 Not Found');
      const token = o.token;
      if (
        token !== undefined &&
        req.headers.authorization !== `Bearer ${token}` &&
        url.searchParams.get('token') !== token
      )
        return refuse(socket, '401 Unauthorized');
      if (wss.clients.size >= o.maxClients) return refuse(socket, '503 Service Unavailable');
      wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        ws.on('error', () => {});
        // What clients send is not read: a broadcast only speaks.
        ws.on('message', () => {});
        wss.emit('connection', ws, req);
      });
    });
    http.on('clientError', (_e, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      http.once('error', (e) =>
        reject(new TwinstreamError('TS_NET_LISTEN', `listening on ${o.host}:${o.port} failed: ${e.message}`)),
      );
      http.listen(o.port, o.host, resolve);
    });
    this.http = http;
    this.wss = wss;
    this.address.resolve(http.address() as AddressInfo);
  }

  /** Closes every client (code 1001, going away) and the server. */
  async close(): Promise<void> {
    await this.opening;
    const wss = this.wss;
    const http = this.http;
    this.wss = null;
    this.http = null;
    if (wss === null || http === null) return;
    for (const ws of wss.clients) ws.close(1001, 'the stream ended');
    await new Promise<void>((r) => setTimeout(r, 50).unref());
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    await new Promise<void>((r) => http.close(() => r()));
  }

  protected override flushOnEnd(): Pushed {
    return this.close();
  }
}

declare module '../../core/stream.ts' {
  interface Stream<T> {
    /**
     * Serves every element to every WebSocket client connected to a server it starts with the graph; slow
     * clients are dropped from messages or disconnected (`slowClients`), never waited for. Returns the sink.
     * @example readings.toWebSocketBroadcast({ port: 8090, path: '/live' })
     */
    toWebSocketBroadcast(options?: WebSocketBroadcastOptions): WebSocketBroadcastNode;
  }
}

Stream.register('toWebSocketBroadcast', function toWebSocketBroadcast(this: Stream<any>, options) {
  return new WebSocketBroadcastNode(this, options as WebSocketBroadcastOptions);
});
