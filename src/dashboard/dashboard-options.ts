import { isIP } from 'node:net';
import type { GraphMetrics } from '../core/graph-metrics.ts';
import { badArgument } from '../errors.ts';

/** A slider on the page that sets one live parameter (a dot path of a simulation's `ParameterRegistry`). */
export interface ParameterControl {
  /** The dot path: `Line_A.arrival.standard.rate`, `Line_A.resources.lathe.currentCap`. */
  path: string;
  /** The text beside the slider (default: the path). */
  label?: string;
  min: number;
  max: number;
  /** Default 1 when `min` and `max` are integers, else (max - min) / 100. */
  step?: number;
}

/** What the controls read and set: a simulation's `ParameterRegistry` fits. */
export interface ParameterTarget {
  get(path: string): unknown;
  /** Validates and applies; throws (a `TwinstreamError`) when the value is refused. */
  update(path: string, value: unknown): void;
}

/** How a dashboard serves. Every size has a cap, named with its option. */
export interface DashboardOptions {
  /** The interface to bind: default `127.0.0.1`. Any other address needs a token for the controls. */
  host?: string;
  /** Default 0: a free port (read `dashboard.url` after `start()`). */
  port?: number;
  /**
   * The secret that parameter changes must carry when the dashboard is bound to an address other than loopback
   * (default: a random one, in `dashboard.url`'s fragment). At least 16 characters.
   */
  token?: string;
  /** The page's title. */
  title?: string;
  /** Binary frames of new points per second, 1-30 (default 20). */
  rate?: number;
  /** Points kept per series, on the server and in the page, 10-100,000 (default 3,600); older points are dropped. */
  points?: number;
  /** Pages connected at once, 1-64 (default 16); one more is refused. */
  maxClients?: number;
  /**
   * A page whose socket holds more than this many unsent bytes skips frames (its points are coalesced into the
   * next frame it can take, the oldest dropped past `points`); one that stays above it for `slowClientTimeout`
   * ms is disconnected. Default 1 MiB, at most 64 MiB.
   */
  maxBufferedBytes?: number;
  /** Default 5,000 ms. */
  slowClientTimeout?: number;
  /** The metrics of the pipeline to draw: its graph with per-node throughput, latency, backlog, late and errors. */
  metrics?: GraphMetrics;
  /** The live parameters and the controls that set them. */
  parameters?: { target: ParameterTarget; controls: ParameterControl[] };
}

/**
 * At most this many plotted series on one page (each is a plot).
 *
 * @example
 * import { MAX_SERIES } from 'twinstream/dashboard';
 * sensors.slice(0, MAX_SERIES).forEach((s) => dashboard.plot(s.stream, s.spec));
 */
export const MAX_SERIES = 32;

/**
 * At most this many parameter controls (sliders) on one page.
 *
 * @example
 * import { MAX_CONTROLS } from 'twinstream/dashboard';
 * new Dashboard({ parameters: { target: env.registry, controls: controls.slice(0, MAX_CONTROLS) } });
 */
export const MAX_CONTROLS = 32;

/** The options in force: what was given, checked, with the defaults filled in (`dashboard.options`). */
export interface ResolvedDashboardOptions {
  host: string;
  port: number;
  token: string | null;
  title: string;
  rate: number;
  points: number;
  maxClients: number;
  maxBufferedBytes: number;
  slowClientTimeout: number;
}

function inRange(field: string, v: unknown, min: number, max: number, fallback: number, integer = true): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v >= min && v <= max) || (integer && !Number.isInteger(v))) {
    badArgument('Dashboard', field, v, `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return v;
}

/**
 * True for the loopback addresses, where only this machine can connect (the dashboard's controls need no token
 * there).
 *
 * @example
 * import { isLoopback } from 'twinstream/dashboard';
 * isLoopback('127.0.0.1'); // true
 * isLoopback('0.0.0.0'); // false
 */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** @internal Checks `options` and fills in the defaults. */
export function resolveDashboardOptions(
  options: DashboardOptions,
  randomToken: () => string,
): ResolvedDashboardOptions {
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') badArgument('Dashboard', 'host', host, 'a host name or IP address');
  const token = options.token ?? (isLoopback(host) ? null : randomToken());
  if (token !== null && (typeof token !== 'string' || token.length < 16 || token.length > 256)) {
    badArgument('Dashboard', 'token', '(hidden)', 'a string of 16 to 256 characters');
  }
  const controls = options.parameters?.controls ?? [];
  if (controls.length > MAX_CONTROLS)
    badArgument('Dashboard', 'parameters.controls', controls.length, `at most ${MAX_CONTROLS}`);
  for (const [i, c] of controls.entries()) {
    if (typeof c?.path !== 'string' || c.path === '') {
      badArgument('Dashboard', `parameters.controls[${i}].path`, c?.path, 'a dot path');
    }
    if (!(typeof c.min === 'number' && typeof c.max === 'number' && c.min < c.max)) {
      badArgument('Dashboard', `parameters.controls[${i}].min/max`, [c.min, c.max], 'two numbers, min < max');
    }
  }
  return {
    host,
    port: inRange('port', options.port, 0, 65535, 0),
    token,
    title: typeof options.title === 'string' ? options.title.slice(0, 200) : 'twinstream',
    rate: inRange('rate', options.rate, 1, 30, 20, false),
    points: inRange('points', options.points, 10, 100_000, 3600),
    maxClients: inRange('maxClients', options.maxClients, 1, 64, 16),
    maxBufferedBytes: inRange('maxBufferedBytes', options.maxBufferedBytes, 1024, 64 * 1024 * 1024, 1024 * 1024),
    slowClientTimeout: inRange('slowClientTimeout', options.slowClientTimeout, 100, 600_000, 5000),
  };
}
