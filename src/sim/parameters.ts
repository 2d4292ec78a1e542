import { describe, TwinstreamError } from '../errors.ts';
import { type DistributionConfig, validateDistribution } from './distributions.ts';
import type { Event, Scheduler } from './kernel/events.ts';
import type { Process, ProcessGenerator } from './kernel/process.ts';
import { copyParameterValue } from './parameter-value.ts';

/** A capacity that may change at run time, within `maxCap`. */
export interface CapacityConfig {
  currentCap: number;
  maxCap: number;
}

/**
 * The live parameters of one simulated system (desflow's `SimParameter`). Every leaf gets a dot path:
 * `Line_A.arrival.standard.rate`, `Line_A.resources.lathe.currentCap`, `Line_A.variables.shift`.
 */
export interface SimParameter {
  simId: string;
  arrival?: Record<string, DistributionConfig>;
  service?: Record<string, DistributionConfig>;
  resources?: Record<string, CapacityConfig>;
  containers?: Record<string, CapacityConfig>;
  stores?: Record<string, CapacityConfig>;
  variables?: Record<string, unknown>;
}

/** One timed update of a schedule. */
export interface ScheduledUpdate {
  /** Simulated time of the update. */
  at: number;
  path: string;
  value: unknown;
}

type Tree = Record<string, any>;
type Listener = (value: unknown, path: string) => void;

const SECTIONS = ['arrival', 'service', 'resources', 'containers', 'stores', 'variables'];

/**
 * The registry of live parameters, addressed by dot paths. A running simulation reads configs from it (`getConfig`
 * returns the live object a sampler reads at every draw), reacts to changes (`onChange`, `waitForChange`), and
 * receives updates from a schedule (`schedule`) or from outside (`update` from Kafka or MQTT ingress). Every
 * update is validated first: a bad value is an error naming its dot path and what is accepted, and changes nothing.
 *
 * @example
 * const registry = new ParameterRegistry(env);
 * registry.register({ simId: 'Line_A', arrival: { standard: { dist: 'exponential', rate: 2 } },
 *   resources: { lathe: { currentCap: 4, maxCap: 10 } } });
 * registry.update('Line_A.arrival.standard.rate', 3);
 * registry.get('Line_A.arrival.standard'); // { dist: 'exponential', rate: 3 }
 */
export class ParameterRegistry {
  readonly env: Scheduler;
  // Null-prototype all the way down (see copyParameterValue): a name like "toString" or "__proto__" is only ever
  // an own key, and lookups use Object.hasOwn.
  private readonly root: Tree = Object.create(null);
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(env: Scheduler) {
    this.env = env;
  }

  /** Adds a system's parameters, validated; its `simId` must be new and must not contain dots. */
  register(param: SimParameter): void {
    if (
      param === null ||
      typeof param !== 'object' ||
      typeof param.simId !== 'string' ||
      param.simId === '' ||
      param.simId.includes('.')
    ) {
      throw new TwinstreamError(
        'TS_SIM_BAD_PARAMETER',
        `register: simId = ${describe(param?.simId)} is not valid; expected a non-empty name without dots`,
      );
    }
    const id = param.simId;
    if (Object.hasOwn(this.root, id))
      throw new TwinstreamError('TS_SIM_BAD_PARAMETER', `register: "${id}" is registered already`);
    const tree: Tree = Object.create(null);
    for (const [section, entries] of Object.entries(param)) {
      if (section === 'simId') continue;
      if (!SECTIONS.includes(section)) {
        throw new TwinstreamError(
          'TS_SIM_BAD_PARAMETER',
          `${id}.${section} is not a parameter section; expected one of ${SECTIONS.join(', ')}`,
        );
      }
      if (entries === null || typeof entries !== 'object') {
        throw new TwinstreamError(
          'TS_SIM_BAD_PARAMETER',
          `${id}.${section} = ${describe(entries)} is not valid; expected an object of named entries`,
        );
      }
      tree[section] = copyParameterValue(entries, `${id}.${section}`);
      for (const [name, cfg] of Object.entries(tree[section])) validateEntry(section, `${id}.${section}.${name}`, cfg);
    }
    this.root[id] = tree;
  }

  /** A copy of the value (leaf or subtree) at `path`. */
  get(path: string): unknown {
    const v = this.lookup(path);
    return typeof v === 'object' && v !== null ? structuredClone(v) : v;
  }

  /** The live config object at `path` (not a copy): samplers read it at every draw, so updates apply at once. */
  getConfig<T = DistributionConfig>(path: string): T {
    const v = this.lookup(path);
    if (v === null || typeof v !== 'object') {
      throw new TwinstreamError(
        'TS_SIM_BAD_PARAMETER',
        `getConfig("${path}"): the value there is ${describe(v)}, not a config object`,
      );
    }
    return v as T;
  }

  /** Every leaf as `[dotPath, value]`. */
  entries(): [string, unknown][] {
    const out: [string, unknown][] = [];
    const walk = (node: unknown, prefix: string) => {
      if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
        for (const [k, v] of Object.entries(node)) walk(v, prefix === '' ? k : `${prefix}.${k}`);
      } else out.push([prefix, node]);
    };
    walk(this.root, '');
    return out;
  }

  /**
   * Sets the leaf or subtree at `path` (which must exist) after validating the entry it belongs to, then tells the
   * listeners of the path, its ancestors and its descendants.
   */
  update(path: string, value: unknown): void {
    const parts = path.split('.');
    const [id, section, name] = parts;
    if (parts.length < 2)
      throw new TwinstreamError(
        'TS_SIM_BAD_PARAMETER',
        `update("${path}"): expected a path like "Line_A.service.milling.mean"`,
      );
    this.lookup(path);
    // From here on the value is a copy made of data only (it may come from outside: MQTT, Kafka, a file).
    value = copyParameterValue(value, path);
    if (parts.length >= 3 && section !== 'variables') {
      // Validate the whole entry as it would be after the update.
      const entryPath = `${id}.${section}.${name}`;
      const candidate = copyParameterValue(this.lookup(entryPath), entryPath) as Tree;
      const next = parts.length === 3 ? value : setIn(candidate, parts.slice(3), value);
      validateEntry(section!, entryPath, next);
    } else if (parts.length === 2 && section !== 'variables') {
      throw new TwinstreamError(
        'TS_SIM_BAD_PARAMETER',
        `update("${path}"): update an entry (${path}.<name>) or one of its fields`,
      );
    }
    const parent = this.lookup(parts.slice(0, -1).join('.')) as Tree;
    const last = parts[parts.length - 1]!;
    const old = parent[last];
    if (
      typeof old === 'object' &&
      old !== null &&
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value)
    ) {
      // Replace in place so live config objects handed out by getConfig see the change: key by key from the
      // copy, whose keys are data only (never `__proto__`), so no assignment here can set a prototype.
      for (const k of Object.keys(old)) delete old[k];
      for (const k of Object.keys(value)) old[k] = (value as Tree)[k];
    } else {
      parent[last] = value;
    }
    (this.env as { notifyExternalInput?: () => void }).notifyExternalInput?.();
    for (const [key, set] of this.listeners) {
      if (key === path || path.startsWith(`${key}.`) || key.startsWith(`${path}.`)) {
        for (const fn of [...set]) fn(this.get(key), path);
      }
    }
  }

  /** Calls `fn(newValue, changedPath)` whenever `path`, something under it or above it changes; returns an unsubscribe function. */
  onChange(path: string, fn: Listener): () => void {
    this.lookup(path);
    let set = this.listeners.get(path);
    if (set === undefined) this.listeners.set(path, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
    };
  }

  /** An event that succeeds with the new value the next time `path` (or something under it) changes. */
  waitForChange(path: string): Event<unknown> {
    const ev = (this.env as Scheduler & { event(): Event<unknown> }).event();
    const off = this.onChange(path, (value) => {
      off();
      ev.succeed(value);
    });
    return ev;
  }

  /** Starts a process applying `updates` at their simulated times (any order given; applied in time order). */
  schedule(updates: readonly ScheduledUpdate[]): Process<void> {
    const list = [...updates].sort((a, b) => a.at - b.at);
    for (const u of list) {
      if (typeof u.at !== 'number' || !(u.at >= this.env.now)) {
        throw new TwinstreamError(
          'TS_SIM_BAD_PARAMETER',
          `schedule: at = ${describe(u.at)} for "${u.path}" is not valid; expected a time >= now (${this.env.now})`,
        );
      }
      this.lookup(u.path);
    }
    const env = this.env as Scheduler & {
      timeout(d: number): Event<undefined>;
      process<R>(g: ProcessGenerator<R>, name?: string): Process<R>;
    };
    const registry = this;
    return env.process(
      (function* () {
        for (const u of list) {
          if (u.at > env.now) yield env.timeout(u.at - env.now);
          registry.update(u.path, u.value);
        }
      })(),
      'parameter-schedule',
    );
  }

  private lookup(path: string): unknown {
    if (typeof path !== 'string' || path === '') {
      throw new TwinstreamError(
        'TS_SIM_UNKNOWN_PARAMETER',
        `parameter path ${describe(path)} is not valid; expected a dot path like "Line_A.arrival.standard.rate"`,
      );
    }
    let node: unknown = this.root;
    const parts = path.split('.');
    for (let i = 0; i < parts.length; i++) {
      if (node === null || typeof node !== 'object' || !Object.hasOwn(node, parts[i]!)) {
        const at = parts.slice(0, i).join('.');
        const known = node !== null && typeof node === 'object' ? Object.keys(node) : [];
        throw new TwinstreamError(
          'TS_SIM_UNKNOWN_PARAMETER',
          `parameter "${path}" does not exist: ${at === '' ? 'the registry' : `"${at}"`} has ${known.length === 0 ? 'no entries' : known.map((k) => `"${k}"`).join(', ')}`,
          { context: { path } },
        );
      }
      node = (node as Tree)[parts[i]!];
    }
    return node;
  }
}

function setIn(obj: Tree, parts: string[], value: unknown): Tree {
  let node = obj;
  for (let i = 0; i < parts.length - 1; i++) node = node[parts[i]!];
  node[parts[parts.length - 1]!] = value;
  return obj;
}

function validateEntry(section: string, path: string, cfg: unknown): void {
  if (section === 'arrival' || section === 'service') {
    validateDistribution(cfg, path);
  } else if (section === 'resources' || section === 'containers' || section === 'stores') {
    const c = cfg as CapacityConfig;
    if (c === null || typeof c !== 'object') {
      throw new TwinstreamError(
        'TS_SIM_BAD_PARAMETER',
        `${path} = ${describe(cfg)} is not valid; expected { currentCap, maxCap }`,
      );
    }
    if (typeof c.maxCap !== 'number' || !(c.maxCap > 0)) {
      throw new TwinstreamError(
        'TS_SIM_BAD_PARAMETER',
        `${path}.maxCap = ${describe(c.maxCap)} is not valid; expected a number > 0`,
        { context: { path: `${path}.maxCap` } },
      );
    }
    if (typeof c.currentCap !== 'number' || !(c.currentCap >= 0) || c.currentCap > c.maxCap) {
      throw new TwinstreamError(
        'TS_SIM_BAD_PARAMETER',
        `${path}.currentCap = ${describe(c.currentCap)} is not valid; expected a number from 0 to maxCap (${c.maxCap})`,
        {
          context: { path: `${path}.currentCap` },
        },
      );
    }
  }
}
