import { timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { badArgument, requireInteger, TwinstreamError, type TwinstreamErrorCode } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';
import type { LocalPipe } from '../local-pipe.ts';
import { FrameReader } from './frame-reader.ts';
import { refuse } from './refuse.ts';
import { serveReader } from './serve-reader.ts';
import { serveWriter, type WriterState } from './serve-writer.ts';
import { decodeJson, encodeJson, FRAME } from './wire.ts';

/** Options of a `PipeServer`. Every size is capped. */
export interface PipeServerOptions {
  /** The pipes remote peers may write into or read from, by stream name. */
  readonly pipes: Readonly<Record<string, LocalPipe>>;
  /** Default `127.0.0.1`: only this machine. */
  readonly host?: string;
  /** Default 0: any free port (see `port` after `start`). */
  readonly port?: number;
  /** When set, a peer must send it in its hello. */
  readonly token?: string;
  /** Largest frame accepted, header included. Default 16 MiB. */
  readonly maxFrameBytes?: number;
  /** Default 64. */
  readonly maxConnections?: number;
  /**
   * `tcp` (default): the frames on a plain TCP socket. `websocket`: the same frames in WebSocket binary messages
   * (an HTTP server upgrading any path), for peers behind proxies or in browsers.
   */
  readonly transport?: 'tcp' | 'websocket';
}

/**
 * Serves local pipes over TCP: a remote writer (`RemoteOutputPipe`) writes into one, a remote reader
 * (`RemoteInputPipe`) reads and consumes one. Writers get an acknowledgement per frame once the rows are in the pipe
 * (their back pressure); a reader's rows are consumed here only when it says it consumed them, so a reader that dies
 * and comes back gets again exactly what it had not consumed. A bad peer (wrong token, oversized or truncated frame,
 * wrong layout) gets an error frame and is disconnected; the others go on.
 *
 * @example
 * import { LocalPipe, PipeServer } from 'twinstream/pipes';
 * const power = new LocalPipe({ layout: 'float32_3', name: 'power' });
 * const server = new PipeServer({ pipes: { power } });
 * const { port } = await server.start(); // 127.0.0.1:port
 */
export class PipeServer {
  readonly #pipes: ReadonlyMap<string, LocalPipe>;
  readonly #host: string;
  readonly #port: number;
  readonly #token: Buffer | null;
  readonly #maxFrame: number;
  readonly #maxConnections: number;
  readonly #writers = new Map<string, WriterState>();
  readonly #transport: 'tcp' | 'websocket';
  readonly #active = new Map<string, Duplex>();
  readonly #sockets = new Set<Duplex>();
  #server: Server | import('node:http').Server | null = null;

  constructor(options: PipeServerOptions) {
    const where = 'PipeServer';
    if (options?.pipes === null || typeof options?.pipes !== 'object') {
      badArgument(where, 'pipes', options?.pipes, 'an object of LocalPipes by stream name');
    }
    this.#pipes = new Map(Object.entries(options.pipes));
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? 0;
    requireInteger(where, 'port', this.#port, 0);
    this.#token = options.token === undefined ? null : Buffer.from(options.token);
    this.#maxFrame = options.maxFrameBytes ?? 16 * 1024 * 1024;
    requireInteger(where, 'maxFrameBytes', this.#maxFrame, 1024);
    this.#maxConnections = options.maxConnections ?? 64;
    requireInteger(where, 'maxConnections', this.#maxConnections, 1);
    this.#transport = options.transport ?? 'tcp';
    if (this.#transport !== 'tcp' && this.#transport !== 'websocket') {
      badArgument(where, 'transport', options.transport, '"tcp" or "websocket"');
    }
  }

  /** The port listened on (after `start`). */
  get port(): number {
    const a = this.#server?.address();
    return typeof a === 'object' && a !== null ? a.port : 0;
  }

  async start(): Promise<{ host: string; port: number }> {
    let server: Server | import('node:http').Server;
    if (this.#transport === 'tcp') {
      server = createServer((socket: Socket) => {
        socket.setNoDelay(true);
        this.#accept(socket);
      });
    } else {
      // ws is loaded only by servers that speak WebSocket.
      const { WebSocketServer, createWebSocketStream } = await importOptional(
        'ws',
        'PipeServer over WebSocket',
        () => import('ws'),
      );
      const http = createHttpServer();
      server = http;
      const wss = new WebSocketServer({ server: http, maxPayload: this.#maxFrame });
      wss.on('connection', (ws) => this.#accept(createWebSocketStream(ws)));
    }
    server.maxConnections = this.#maxConnections;
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#host, () => resolve({ host: this.#host, port: this.port }));
    });
  }

  /** Stops listening and disconnects every peer (the pipes stay open). */
  close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    const server = this.#server;
    this.#server = null;
    return new Promise((resolve) => (server === null ? resolve() : server.close(() => resolve())));
  }

  #accept(socket: Duplex): void {
    this.#sockets.add(socket);
    const reader = new FrameReader(this.#maxFrame);
    let onFrame = (f: Uint8Array) => this.#hello(socket, f, (next) => (onFrame = next));
    socket.on('data', (chunk) => {
      try {
        reader.push(chunk, (f) => onFrame(f));
      } catch (e) {
        refuse(socket, e);
      }
    });
    socket.on('error', () => {});
    // A WebSocket stream only ends when the connection drops; make it close, as a TCP socket does.
    socket.on('end', () => socket.destroy());
    socket.on('close', () => this.#sockets.delete(socket));
  }

  #hello(socket: Duplex, f: Uint8Array, become: (next: (f: Uint8Array) => void) => void): void {
    if (f[4] !== FRAME.hello) throw fault('TS_PIPE_FRAME', `the first frame must be a hello, not kind ${f[4]}`);
    let hello: Record<string, unknown>;
    try {
      hello = decodeJson(f);
    } catch (e) {
      throw fault('TS_PIPE_FRAME', `the hello is not a JSON object: ${(e as Error).message}`);
    }
    if (this.#token !== null) {
      const got = Buffer.from(typeof hello.token === 'string' ? hello.token : '');
      if (got.length !== this.#token.length || !timingSafeEqual(got, this.#token)) {
        throw fault('TS_PIPE_AUTH', 'wrong or missing token');
      }
    }
    const stream = String(hello.stream);
    const pipe = this.#pipes.get(stream);
    if (pipe === undefined) {
      throw fault(
        'TS_PIPE_UNKNOWN_STREAM',
        `no stream "${stream}" here; served: ${[...this.#pipes.keys()].join(', ')}`,
      );
    }
    if (hello.layout !== pipe.layout.name) {
      throw fault(
        'TS_PIPE_BAD_BLOCK',
        `stream "${stream}" has layout ${pipe.layout.name}, not ${String(hello.layout)}`,
      );
    }
    const role = hello.role;
    if (role !== 'write' && role !== 'read') throw fault('TS_PIPE_FRAME', `role must be "write" or "read"`);
    // One peer per stream and role: a newcomer (often the same peer, reconnected) replaces the old connection.
    const key = `${role}\u0000${stream}`;
    this.#active.get(key)?.destroy();
    this.#active.set(key, socket);
    socket.on('close', () => this.#active.get(key) === socket && this.#active.delete(key));
    if (role === 'write') {
      const session = String(hello.session ?? '');
      let state = this.#writers.get(stream);
      if (state === undefined || state.session !== session) {
        state = { session, acked: 0, chain: Promise.resolve() };
        this.#writers.set(stream, state);
      }
      socket.write(encodeJson(FRAME.welcome, { acked: state.acked, maxFrameBytes: this.#maxFrame }));
      become(serveWriter(socket, pipe, state));
    } else {
      socket.write(encodeJson(FRAME.welcome, { acked: 0, maxFrameBytes: this.#maxFrame }));
      become(serveReader(socket, pipe, this.#maxFrame));
    }
  }
}

function fault(code: TwinstreamErrorCode, message: string): TwinstreamError {
  return new TwinstreamError(code, `pipe server: ${message}`);
}
