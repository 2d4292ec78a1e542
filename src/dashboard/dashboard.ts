import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { WebSocket, WebSocketServer } from 'ws';
import '../core/operators/sink.ts';
import type { Stream } from '../core/stream.ts';
import { badArgument, TwinstreamError } from '../errors.ts';
import { importOptional } from '../import-optional.ts';
import { encodePointsFrame } from './columnar-frame.ts';
import {
  type DashboardOptions,
  MAX_SERIES,
  type ParameterControl,
  type ParameterTarget,
  type ResolvedDashboardOptions,
  resolveDashboardOptions,
} from './dashboard-options.ts';
import { SeriesRing } from './series-ring.ts';

interface Client {
  ws: WebSocket;
  seen: number[];
  /** Since when (ms) its socket has held more than `maxBufferedBytes`; 0 while it keeps up. */
  slowSince: number;
}

/** Counters of what the dashboard did with its pages. */
export interface DashboardStats {
  clients: number;
  framesSent: number;
  /** Frames a slow page skipped (its points went into a later frame). */
  framesCoalesced: number;
  /** Pages disconnected for staying too slow, or refused past `maxClients`. */
  clientsDropped: number;
  parameterChanges: number;
  /** Points of series past `MAX_SERIES` (named by `point` at run time), not plotted. */
  pointsRefused: number;
}

const MAX_BODY = 4096;
const STATE_EVERY_MS = 500;

/**
 * A live web page for a running pipeline or simulation, served with `node:http` and `ws`: plots of chosen streams
 * (uPlot, fed binary columnar frames of new points `rate` times a second), the pipeline's graph with per-node
 * throughput, latency, backlog, late and error counts (from `metrics`), and sliders that change live parameters of
 * a simulation. `/metrics` serves the metrics in the Prometheus text format. It binds to 127.0.0.1 unless told
 * otherwise; bound elsewhere, parameter changes must carry the token.
 *
 * Slow pages: a page whose socket holds more than `maxBufferedBytes` unsent skips frames, its new points coalesced
 * into the next frame it takes (past `points` per series the oldest are dropped); a page still that slow after
 * `slowClientTimeout` is disconnected (its connection cut). Nothing waits for a page: the pipeline never slows down.
 *
 * @example
 * import { Dashboard } from 'twinstream/dashboard';
 * import { Stream } from 'twinstream';
 * const readings = new Stream<{ t: number; temperature: number }>();
 * const dashboard = new Dashboard({ title: 'boiler' });
 * dashboard.plot(readings, { name: 'temperature', time: (r) => r.t, value: (r) => r.temperature });
 * await dashboard.start();
 * console.log(`open ${dashboard.url}`);
 */
export class Dashboard {
  readonly options: ResolvedDashboardOptions;
  readonly stats: DashboardStats = {
    clients: 0,
    framesSent: 0,
    framesCoalesced: 0,
    clientsDropped: 0,
    parameterChanges: 0,
    pointsRefused: 0,
  };
  private readonly metrics: DashboardOptions['metrics'];
  private readonly target: ParameterTarget | null;
  private readonly controls: ParameterControl[];
  private readonly rings: SeriesRing[] = [];
  private readonly byName = new Map<string, SeriesRing>();
  /** Rings named after the last tick: the pages hear of them before the frame that carries their points. */
  private announced = 0;
  private readonly clients = new Set<Client>();
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastState = 0;
  private assets: Map<string, { type: string; body: Buffer }> | null = null;

  constructor(options: DashboardOptions = {}) {
    this.options = resolveDashboardOptions(options, () => randomBytes(18).toString('base64url'));
    this.metrics = options.metrics;
    this.target = options.parameters?.target ?? null;
    this.controls = (options.parameters?.controls ?? []).map((c) => ({
      ...c,
      step: c.step ?? (Number.isInteger(c.min) && Number.isInteger(c.max) ? 1 : (c.max - c.min) / 100),
    }));
  }

  /**
   * Plots what `stream` carries: `time` gives each element's time (ms since the epoch) and `value` the number
   * plotted. Add the plots before `start()`. Returns the dashboard.
   *
   * @example
   * dashboard.plot(queue, { name: 'queue length', time: (r) => r.t, value: (r) => r.value });
   */
  plot<T>(stream: Stream<T>, spec: { name: string; time: (x: T) => number; value: (x: T) => number }): this {
    if (this.server !== null) badArgument('Dashboard.plot', 'stream', spec?.name, 'a plot added before start()');
    if (this.rings.length >= MAX_SERIES)
      badArgument('Dashboard.plot', 'series', this.rings.length + 1, `at most ${MAX_SERIES}`);
    if (typeof spec?.name !== 'string' || typeof spec.time !== 'function' || typeof spec.value !== 'function') {
      badArgument('Dashboard.plot', 'spec', spec, '{ name, time: (x) => ms, value: (x) => number }');
    }
    const ring = new SeriesRing(spec.name, this.options.points);
    this.rings.push(ring);
    this.byName.set(spec.name, ring);
    const { time, value } = spec;
    stream.sink((x) => ring.add(time(x), value(x))).named(`dashboard: ${spec.name}`);
    return this;
  }

  /**
   * Adds a point to the series `name`, which is made on its first point, also while the dashboard serves (the
   * pages add its plot): for series known only from the data, such as one per sensor. Past `MAX_SERIES` series the
   * points of new names are refused (counted in `stats.pointsRefused`); returns false then.
   *
   * @example
   * readings.sink((r) => dashboard.point(`${r.sensor}.celsius`, r.t, r.celsius));
   */
  point(name: string, t: number, v: number): boolean {
    let ring = this.byName.get(name);
    if (ring === undefined) {
      if (this.rings.length >= MAX_SERIES) {
        this.stats.pointsRefused++;
        return false;
      }
      ring = new SeriesRing(name, this.options.points);
      this.rings.push(ring);
      this.byName.set(name, ring);
    }
    ring.add(t, v);
    return true;
  }

  /** The page's address once started (with the token in its fragment when one is needed), else null. */
  get url(): string | null {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (address == null) return null;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}/${this.options.token === null ? '' : `#token=${this.options.token}`}`;
  }

  /** Starts serving; settles once listening. Fails with `TS_NET_LISTEN` when the address cannot be bound. */
  async start(): Promise<string> {
    if (this.server !== null) return this.url!;
    // The plots' sinks joined the graph after its metrics were enabled: counted from now on, not from the first look.
    this.metrics?.refresh();
    this.assets = await loadAssets();
    const { WebSocketServer } = await importOptional('ws', 'the dashboard', () => import('ws'));
    const server = createServer((req, res) => this.route(req, res));
    server.headersTimeout = 10_000;
    server.requestTimeout = 10_000;
    const wss = new WebSocketServer({ server, path: '/ws', maxPayload: MAX_BODY });
    wss.on('connection', (ws) => this.connected(ws));
    // ws repeats the server's errors (a port taken) on itself: they are reported once, below, as TS_NET_LISTEN.
    wss.on('error', () => {});
    this.server = server;
    this.wss = wss;
    const { host, port } = this.options;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) => {
        this.server = null;
        reject(new TwinstreamError('TS_NET_LISTEN', `the dashboard could not listen on ${host}:${port}: ${e.message}`));
      });
      server.listen(port, host, () => resolve());
    });
    this.timer = setInterval(() => this.tick(), 1000 / this.options.rate);
    this.timer.unref();
    return this.url!;
  }

  /** Stops serving and disconnects every page. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    this.wss?.close();
    const server = this.server;
    this.server = null;
    if (server !== null) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private connected(ws: WebSocket): void {
    if (this.clients.size >= this.options.maxClients) {
      this.stats.clientsDropped++;
      ws.close(1013, 'too many pages connected');
      return;
    }
    const client: Client = { ws, seen: this.rings.map(() => 0), slowSince: 0 };
    this.clients.add(client);
    this.stats.clients = this.clients.size;
    ws.on('close', () => {
      this.clients.delete(client);
      this.stats.clients = this.clients.size;
    });
    ws.on('error', () => ws.terminate());
    ws.send(JSON.stringify({ type: 'hello', ...this.describe() }));
  }

  private describe() {
    return {
      title: this.options.title,
      points: this.options.points,
      series: this.rings.map((r) => r.name),
      controls: this.controls,
      tokenRequired: this.options.token !== null,
    };
  }

  private state(): string {
    const values = Object.fromEntries(this.controls.map((c) => [c.path, this.target?.get(c.path) ?? null]));
    const snapshot = this.metrics?.snapshot() ?? null;
    return JSON.stringify({ type: 'state', parameters: values, metrics: snapshot, stats: this.stats });
  }

  private tick(): void {
    const now = Date.now();
    const sendState = now - this.lastState >= STATE_EVERY_MS;
    if (sendState) this.lastState = now;
    const state = sendState && this.clients.size > 0 ? this.state() : null;
    // Series named since the last tick: every page learns their names before a frame carries their points.
    const added =
      this.rings.length > this.announced
        ? JSON.stringify({ type: 'series', series: this.rings.map((r) => r.name) })
        : null;
    this.announced = this.rings.length;
    for (const c of this.clients) {
      if (added !== null) {
        c.ws.send(added);
        while (c.seen.length < this.rings.length) c.seen.push(0);
      }
      if (c.ws.bufferedAmount > this.options.maxBufferedBytes) {
        if (c.slowSince === 0) c.slowSince = now;
        else if (now - c.slowSince > this.options.slowClientTimeout) {
          // Not a close handshake: a page that reads nothing would not read that either.
          this.stats.clientsDropped++;
          c.ws.terminate();
          this.clients.delete(c);
          this.stats.clients = this.clients.size;
        }
        this.stats.framesCoalesced++;
        continue;
      }
      c.slowSince = 0;
      const frame = encodePointsFrame(this.rings, c.seen);
      if (frame !== null) {
        c.ws.send(frame);
        this.stats.framesSent++;
      }
      if (state !== null) c.ws.send(state);
    }
  }

  private route(req: IncomingMessage, res: ServerResponse): undefined {
    const path = (req.url ?? '/').split('?')[0]!;
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'no-store');
    if (req.method === 'POST' && path === '/api/parameters') return this.changeParameter(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'text/plain', 'method not allowed\n');
    if (path === '/metrics') {
      if (this.metrics === undefined) return reply(res, 404, 'text/plain', 'no metrics: none were given\n');
      return reply(res, 200, 'text/plain; version=0.0.4; charset=utf-8', this.metrics.prometheus());
    }
    if (path === '/api/state') {
      return reply(res, 200, 'application/json', JSON.stringify({ ...this.describe(), ...JSON.parse(this.state()) }));
    }
    const asset = this.assets?.get(path === '/' ? '/index.html' : path);
    if (asset === undefined) return reply(res, 404, 'text/plain', 'not found\n');
    return reply(res, 200, asset.type, asset.body);
  }

  private changeParameter(req: IncomingMessage, res: ServerResponse): undefined {
    // A page of another site may send a request to 127.0.0.1 from the user's browser: JSON only (a cross-site
    // JSON request needs a preflight, which is never granted), and an Origin, when sent, must be this host.
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) {
      return reply(res, 403, 'text/plain', 'refused: a request from another origin\n');
    }
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
      return reply(res, 415, 'text/plain', 'expected content-type: application/json\n');
    }
    if (!this.authorized(req.headers.authorization)) {
      return reply(res, 401, 'text/plain', 'refused: this dashboard needs its token (Authorization: Bearer ...)\n');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reply(res, 413, 'text/plain', `refused: a body over ${MAX_BODY} bytes\n`);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return;
      const answer = this.apply(Buffer.concat(chunks).toString('utf8'));
      reply(res, answer.status, 'application/json', JSON.stringify(answer.body));
    });
    return undefined;
  }

  private authorized(header: string | undefined): boolean {
    const token = this.options.token;
    if (token === null) return true;
    const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
    const expected = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private apply(text: string): { status: number; body: unknown } {
    let parsed: { path?: unknown; value?: unknown };
    try {
      parsed = JSON.parse(text);
    } catch {
      return { status: 400, body: { error: 'the body is not JSON; expected {"path": "...", "value": number}' } };
    }
    const control = this.controls.find((c) => c.path === parsed?.path);
    if (control === undefined || this.target === null) {
      return { status: 404, body: { error: `no control for path ${JSON.stringify(parsed?.path)}` } };
    }
    const v = parsed.value;
    if (typeof v !== 'number' || !(v >= control.min && v <= control.max)) {
      return {
        status: 400,
        body: {
          error: `${control.path} = ${JSON.stringify(v)}: expected a number from ${control.min} to ${control.max}`,
        },
      };
    }
    try {
      this.target.update(control.path, v);
    } catch (e) {
      return { status: 400, body: { error: e instanceof Error ? e.message : String(e) } };
    }
    this.stats.parameterChanges++;
    return { status: 200, body: { path: control.path, value: this.target.get(control.path) } };
  }
}

function reply(res: ServerResponse, status: number, type: string, body: string | Buffer): undefined {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const STATIC = new URL('../dashboard/static/', import.meta.url);

/** The page and its scripts, read once: ours from the package, uPlot's from its own. */
async function loadAssets(): Promise<Map<string, { type: string; body: Buffer }>> {
  const uplot = await importOptional('uplot', 'the dashboard', async () => ({
    js: readFileSync(fileURLToPath(import.meta.resolve('uplot/dist/uPlot.iife.min.js'))),
    css: readFileSync(fileURLToPath(import.meta.resolve('uplot/dist/uPlot.min.css'))),
  }));
  const own = (name: string) => readFileSync(new URL(name, STATIC));
  return new Map([
    ['/index.html', { type: 'text/html; charset=utf-8', body: own('index.html') }],
    ['/dashboard.js', { type: 'text/javascript; charset=utf-8', body: own('dashboard.js') }],
    ['/dashboard.css', { type: 'text/css; charset=utf-8', body: own('dashboard.css') }],
    ['/uplot.js', { type: 'text/javascript; charset=utf-8', body: uplot.js }],
    ['/uplot.css', { type: 'text/css; charset=utf-8', body: uplot.css }],
  ]);
}
