import { isUtf8 } from 'node:buffer';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import type { StreamOptions } from '../../core/stream.ts';
import { badArgument, requireInteger, TwinstreamError } from '../../errors.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import { abortableSleep } from '../source/abortable-sleep.ts';
import { ConnectorSource } from '../source/connector-source.ts';
import { decodePayload, type PayloadFormat } from '../source/decode-payload.ts';
import { readFrames } from './frame-reader.ts';
import { readLines } from './line-reader.ts';

/** Where `Stream.fromTcp` listens (or connects) and how it frames. */
export interface FromTcpOptions {
  /** Default `'127.0.0.1'`. */
  host?: string;
  /** Default 0: a free port (`await source.listening`). Required with `connect`. */
  port?: number;
  /**
   * Connect to `host:port` as a client instead of listening (a device or gateway that serves its readings),
   * connecting again `reconnectPeriod` after the connection is lost or refused. Default false.
   */
  connect?: boolean;
  /** Pause between connection attempts (`connect`). Default `'1s'`. */
  reconnectPeriod?: Duration;
  /**
   * `'lines'` (UTF-8 strings, the default), `'ndjson'` (one JSON value a line) or `'length-prefixed'` (each frame
   * a 4-byte big-endian length and that many bytes, decoded by `value`).
   */
  framing?: 'lines' | 'ndjson' | 'length-prefixed';
  /** How a length-prefixed frame becomes an element: `'bytes'` (a Buffer, the default), `'string'` or `'json'`. */
  value?: PayloadFormat;
  /** Longer length-prefixed frames are refused and skipped. Default 1 MiB. */
  maxFrameBytes?: number;
  /** When set, the first line of every connection must be this token, else the connection is closed. */
  token?: string;
  /** Longer lines are refused and skipped. Default 64 KiB. */
  maxLineBytes?: number;
  /** Open connections at most; more are closed at once. Default 256. */
  maxConnections?: number;
  /** A connection silent this long is closed (slow or dead clients). Default `'5m'`. */
  idleTimeout?: Duration;
}

/**
 * A TCP server whose clients send lines (`\n` or `\r\n` ended) that become elements, each connection's in order.
 * While the graph pushes back, the delivering connections are paused. A line that is not UTF-8, not JSON (for
 * `'ndjson'`), too long, or cut by a dropped connection is counted, reported with its line number on
 * `malformedInput()`, and skipped; the connection and the server go on.
 *
 * @example
 * const source = Stream.fromTcp({ port: 7000, framing: 'ndjson' });
 * source.sink(console.log);
 * source.start(); // printf '{"t":1}\n' | nc 127.0.0.1 7000
 */
export class TcpSource<T = unknown> extends ConnectorSource<T> {
  override kind = 'fromTcp';
  /** Connections open now. */
  connections = 0;
  /** Connections made again after one was lost or refused (`connect`). */
  reconnects = 0;
  private readonly o: {
    host: string;
    port: number;
    connect: boolean;
    reconnect: number;
    framing: 'lines' | 'ndjson' | 'length-prefixed';
    value: PayloadFormat;
    maxFrameBytes: number;
    token: string | undefined;
    maxLineBytes: number;
    maxConnections: number;
    idle: number;
  };
  private address: { promise: Promise<AddressInfo>; resolve(a: AddressInfo): void } | null = null;

  constructor(options: FromTcpOptions = {}, streamOptions: StreamOptions = {}) {
    const o = options ?? {};
    const port = o.port ?? 0;
    requireInteger('Stream.fromTcp', 'port', port, 0);
    if (port > 65535) badArgument('Stream.fromTcp', 'port', port, 'a port from 0 to 65535');
    const framing = o.framing ?? 'lines';
    if (framing !== 'lines' && framing !== 'ndjson' && framing !== 'length-prefixed')
      badArgument('Stream.fromTcp', 'framing', framing, "'lines', 'ndjson' or 'length-prefixed'");
    const value = o.value ?? 'bytes';
    if (value !== 'bytes' && value !== 'string' && value !== 'json')
      badArgument('Stream.fromTcp', 'value', value, "'bytes', 'string' or 'json'");
    const maxFrameBytes = o.maxFrameBytes ?? 1 << 20;
    requireInteger('Stream.fromTcp', 'maxFrameBytes', maxFrameBytes, 1);
    const asClient = o.connect ?? false;
    if (typeof asClient !== 'boolean') badArgument('Stream.fromTcp', 'connect', asClient, 'true or false');
    if (asClient && port === 0) badArgument('Stream.fromTcp', 'port', port, 'the port to connect to (connect: true)');
    if (asClient && o.token !== undefined) {
      badArgument('Stream.fromTcp', 'token', '(hidden)', 'no token with connect: true (the peer is the server)');
    }
    const reconnect = toMillis(o.reconnectPeriod ?? '1s', 'Stream.fromTcp: reconnectPeriod');
    if (o.token !== undefined && (typeof o.token !== 'string' || o.token === '' || o.token.includes('\n')))
      badArgument('Stream.fromTcp', 'token', '(hidden)', 'a non-empty string without a newline');
    const maxLineBytes = o.maxLineBytes ?? 1 << 16;
    requireInteger('Stream.fromTcp', 'maxLineBytes', maxLineBytes, 1);
    const maxConnections = o.maxConnections ?? 256;
    requireInteger('Stream.fromTcp', 'maxConnections', maxConnections, 1);
    const idle = toMillis(o.idleTimeout ?? '5m', 'Stream.fromTcp: idleTimeout');
    super(streamOptions);
    this.o = {
      host: o.host ?? '127.0.0.1',
      port,
      connect: asClient,
      reconnect,
      framing,
      value,
      maxFrameBytes,
      token: o.token,
      maxLineBytes,
      maxConnections,
      idle,
    };
  }

  /** The address the server listens on, once started. */
  get listening(): Promise<AddressInfo> {
    this.address ??= deferred();
    return this.address.promise;
  }

  protected async run(signal: AbortSignal): Promise<void> {
    if (this.o.connect) return this.runClient(signal);
    const o = this.o;
    const sockets = new Set<Socket>();
    let failure: unknown = null;
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    const fail = (e: unknown): void => {
      failure ??= e;
      finish();
    };
    const server = createServer((socket) => {
      const from = `tcp ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
      socket.on('error', () => {});
      if (this.connections >= o.maxConnections) {
        this.reject('overloaded', 'too many connections', from);
        socket.destroy();
        return;
      }
      this.connections++;
      sockets.add(socket);
      socket.on('close', () => {
        this.connections--;
        sockets.delete(socket);
      });
      socket.setTimeout(o.idle, () => socket.destroy());
      this.read(socket, from, fail);
    });
    server.maxConnections = o.maxConnections + 16; // the ones past maxConnections are refused and counted above
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) =>
        reject(new TwinstreamError('TS_NET_LISTEN', `listening on ${o.host}:${o.port} failed: ${e.message}`)),
      );
      server.listen(o.port, o.host, resolve);
    });
    this.address ??= deferred();
    this.address.resolve(server.address() as AddressInfo);
    signal.addEventListener('abort', () => finish(), { once: true });
    await finished;
    server.close();
    for (const s of sockets) s.destroy();
    if (failure !== null) throw failure;
  }

  /** As a client: connect, read until the connection ends, connect again after `reconnectPeriod`, until stopped. */
  private async runClient(signal: AbortSignal): Promise<void> {
    const o = this.o;
    const from = `tcp ${o.host}:${o.port}`;
    let failure: unknown = null;
    let current: Socket | null = null;
    const onAbort = (): void => {
      current?.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (let attempt = 0; !signal.aborted && failure === null; attempt++) {
        if (attempt > 0) {
          await abortableSleep(o.reconnect, signal);
          if (signal.aborted) break;
          this.reconnects++;
        }
        const socket = connect(o.port, o.host);
        current = socket;
        socket.on('error', () => {});
        socket.setTimeout(o.idle, () => socket.destroy());
        const closed = new Promise<void>((r) => socket.once('close', () => r()));
        socket.once('connect', () => {
          this.connections++;
          socket.once('close', () => this.connections--);
          this.read(socket, from, (e) => {
            failure ??= e;
            socket.destroy();
          });
        });
        await closed;
        current = null;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (failure !== null) throw failure;
  }

  /** Reads one connection by the framing; `fail` is called when the graph failed on an element. */
  private read(socket: Socket, from: string, fail: (e: unknown) => void): void {
    const o = this.o;
    if (o.framing === 'length-prefixed') {
      readFrames(socket, o.maxFrameBytes, {
        frame: (bytes, n) => {
          const d = decodePayload(bytes, o.value);
          if (d.error !== undefined) {
            this.reject(d.reason, `frame ${n}: ${d.error}`, from, bytes);
            return;
          }
          // A 'bytes' frame is a view of the chunk: a copy, so that what the graph keeps does not hold the chunk.
          return this.deliver((o.value === 'bytes' ? Buffer.from(bytes) : d.value) as T);
        },
        refuse: (reason, message, sample) => this.reject(reason, message, from, sample),
      }).catch((e) => {
        if (!socket.destroyed) fail(e);
      });
      return;
    }
    let authorized = o.token === undefined;
    let refused = false;
    readLines(socket, o.maxLineBytes, {
      line: (bytes, n) => {
        if (refused) return; // the rest of a refused connection's chunk
        if (!authorized) {
          if (bytes.toString('utf8') === o.token) {
            authorized = true;
            return;
          }
          this.reject('unauthorized', 'the first line is not the token', from);
          refused = true;
          socket.destroy();
          return;
        }
        if (!isUtf8(bytes)) {
          this.reject('invalid-utf8', `line ${n} is not UTF-8`, from, bytes);
          return;
        }
        const text = bytes.toString('utf8');
        if (o.framing === 'lines') return this.deliver(text as T);
        if (text.trim() === '') return;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (e) {
          this.reject('invalid-json', `line ${n}: invalid JSON (${(e as Error).message})`, from, text);
          return;
        }
        return this.deliver(value as T);
      },
      refuse: (reason, message, sample) => this.reject(reason, message, from, sample),
      failed: fail,
    });
  }
}

function deferred(): { promise: Promise<AddressInfo>; resolve(a: AddressInfo): void } {
  let resolve!: (a: AddressInfo) => void;
  const promise = new Promise<AddressInfo>((r) => (resolve = r));
  return { promise, resolve };
}
