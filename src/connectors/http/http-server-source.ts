import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StreamOptions } from '../../core/stream.ts';
import { badArgument, requireInteger, TwinstreamError } from '../../errors.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import { Acknowledgement } from '../source/acknowledgement.ts';
import { ConnectorSource } from '../source/connector-source.ts';
import { parseRequestBody } from './parse-request-body.ts';
import { readBody } from './read-body.ts';

/** Where `Stream.fromHttpServer` listens and what it accepts. */
export interface HttpServerOptions {
  /** Default `'127.0.0.1'`: reachable from this machine only unless told otherwise. */
  host?: string;
  /** Default 0: a free port (read it from `await source.listening`). */
  port?: number;
  /** The one path that takes POSTs. Default `'/'`. */
  path?: string;
  /** When set, a request must carry `Authorization: Bearer <token>` (else 401). */
  token?: string;
  /** Larger bodies are refused with 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Open connections at most; more are closed at once. Default 256. */
  maxConnections?: number;
  /** Requests waiting for the pipeline before the server answers 503 with `Retry-After`. Default 16. */
  maxQueuedRequests?: number;
  /** A request that has not arrived whole by then is dropped (slow clients). Default `'10s'`. */
  requestTimeout?: Duration;
}

/**
 * An HTTP server whose POSTed bodies become elements: `application/json` (one value, or each item of an array) or
 * NDJSON (`application/x-ndjson`, `application/jsonl`: one value a line). It answers `202 Accepted` once every node
 * of the graph is done with the request's elements (so a client that got 202 may forget them), `503` with
 * `Retry-After` when more than `maxQueuedRequests` wait for a full pipeline, `400` for a body that is not UTF-8 or
 * not JSON (NDJSON: the bad lines are dropped and reported, the good ones go on), `401`, `404`, `405`, `413`.
 * Every refused request is counted and reported on `malformedInput()`; the server goes on.
 *
 * @example
 * const source = Stream.fromHttpServer({ port: 8080, path: '/ingest', token: process.env.INGEST_TOKEN });
 * source.sink(console.log);
 * source.start();
 * // curl -X POST -H 'content-type: application/x-ndjson' --data-binary $'{"t":1}\n{"t":2}' 127.0.0.1:8080/ingest
 */
export class HttpServerSource<T = unknown> extends ConnectorSource<T> {
  override kind = 'fromHttpServer';
  private readonly host: string;
  private readonly port: number;
  private readonly path: string;
  private readonly token: string | undefined;
  private readonly maxBodyBytes: number;
  private readonly maxConnections: number;
  private readonly maxQueued: number;
  private readonly requestTimeout: number;
  private queued = 0;
  private tail: Promise<void> = Promise.resolve();
  private address: { promise: Promise<AddressInfo>; resolve(a: AddressInfo): void } | null = null;

  constructor(options: HttpServerOptions = {}, streamOptions: StreamOptions = {}) {
    const o = options ?? {};
    const port = o.port ?? 0;
    requireInteger('Stream.fromHttpServer', 'port', port, 0);
    if (port > 65535) badArgument('Stream.fromHttpServer', 'port', port, 'a port from 0 to 65535');
    const path = o.path ?? '/';
    if (typeof path !== 'string' || !path.startsWith('/'))
      badArgument('Stream.fromHttpServer', 'path', path, "a path starting with '/'");
    if (o.token !== undefined && (typeof o.token !== 'string' || o.token === ''))
      badArgument('Stream.fromHttpServer', 'token', '(hidden)', 'a non-empty string');
    const maxBodyBytes = o.maxBodyBytes ?? 1 << 20;
    requireInteger('Stream.fromHttpServer', 'maxBodyBytes', maxBodyBytes, 1);
    const maxConnections = o.maxConnections ?? 256;
    requireInteger('Stream.fromHttpServer', 'maxConnections', maxConnections, 1);
    const maxQueued = o.maxQueuedRequests ?? 16;
    requireInteger('Stream.fromHttpServer', 'maxQueuedRequests', maxQueued, 0);
    super(streamOptions);
    this.host = o.host ?? '127.0.0.1';
    this.port = port;
    this.path = path;
    this.token = o.token;
    this.maxBodyBytes = maxBodyBytes;
    this.maxConnections = maxConnections;
    this.maxQueued = maxQueued;
    this.requestTimeout = toMillis(o.requestTimeout ?? '10s', 'Stream.fromHttpServer: requestTimeout');
  }

  /** The address the server listens on, once started. */
  get listening(): Promise<AddressInfo> {
    this.address ??= deferred();
    return this.address.promise;
  }

  protected async run(signal: AbortSignal): Promise<void> {
    const server: Server = createServer({ requestTimeout: this.requestTimeout, headersTimeout: this.requestTimeout });
    server.maxConnections = this.maxConnections;
    let failure: unknown = null;
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    server.on('request', (req, res) => {
      this.handle(req, res).catch((e) => {
        failure ??= e;
        finish();
      });
    });
    server.on('clientError', (_e, socket) => {
      this.reject('bad-request', 'a request that is not HTTP, or that timed out', 'http');
      socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) =>
        reject(new TwinstreamError('TS_NET_LISTEN', `listening on ${this.host}:${this.port} failed: ${e.message}`)),
      );
      server.listen(this.port, this.host, resolve);
    });
    this.address ??= deferred();
    this.address.resolve(server.address() as AddressInfo);
    signal.addEventListener('abort', () => finish(), { once: true });
    await finished;
    server.close();
    server.closeAllConnections();
    await this.tail;
    if (failure !== null) throw failure;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const from = `http ${req.socket.remoteAddress ?? '?'}`;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    if ((q < 0 ? url : url.slice(0, q)) !== this.path) return answer(res, 404, { error: 'no such path' });
    if (req.method !== 'POST') return answer(res, 405, { error: 'POST only' }, { allow: 'POST' });
    if (this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`) {
      this.reject('unauthorized', 'a request without the bearer token', from);
      req.resume();
      return answer(res, 401, { error: 'a bearer token is required' }, { 'www-authenticate': 'Bearer' });
    }
    const body = await readBody(req, this.maxBodyBytes);
    if (body === 'too-large') {
      this.reject('too-large', `a body over maxBodyBytes ${this.maxBodyBytes}`, from);
      return answer(res, 413, { error: `the body exceeds ${this.maxBodyBytes} bytes` }, { connection: 'close' });
    }
    if (body === 'aborted') {
      this.reject('aborted', 'the client closed the connection before the body was whole', from);
      return;
    }
    const parsed = parseRequestBody(body, req.headers['content-type']);
    for (const e of parsed.errors) this.reject(e.reason, e.message, from, e.sample);
    if (parsed.values.length === 0 && parsed.errors.length > 0) {
      return answer(res, 400, { error: parsed.errors[0]!.message, malformed: parsed.errors.length });
    }
    if (this.queued > this.maxQueued) {
      this.reject('overloaded', 'the pipeline is full: answered 503', from);
      return answer(res, 503, { error: 'the pipeline is full, try again' }, { 'retry-after': '1' });
    }
    this.queued++;
    const run = this.tail.then(() => this.push(parsed.values as T[], parsed.errors.length, res));
    this.tail = run.then(
      () => {
        this.queued--;
      },
      () => {
        this.queued--;
      },
    );
    await run;
  }

  private async push(values: T[], malformed: number, res: ServerResponse): Promise<void> {
    const ack = new Acknowledgement((error) => {
      if (error === undefined) answer(res, 202, { accepted: values.length, malformed });
      else if (this.stopping) answer(res, 503, { error: 'the server is stopping' }, { 'retry-after': '1' });
      else answer(res, 500, { error: 'the pipeline failed on this request' });
    });
    try {
      for (let i = 0; i < values.length; i++) {
        // Stopped part way: the client must send the request again, so it is not told 202.
        if (this.stopping) {
          ack.fail(new TwinstreamError('TS_NODE_FAILED', 'the source stopped'));
          break;
        }
        const r = this.deliver(values[i]!, ack);
        if (r !== undefined) await r;
      }
    } finally {
      ack.seal();
    }
  }
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function deferred(): { promise: Promise<AddressInfo>; resolve(a: AddressInfo): void } {
  let resolve!: (a: AddressInfo) => void;
  const promise = new Promise<AddressInfo>((r) => (resolve = r));
  return { promise, resolve };
}
