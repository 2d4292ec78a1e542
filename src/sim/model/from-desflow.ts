import { TwinstreamError } from '../../errors.ts';
import { simSeconds } from '../sim-duration.ts';
import type { ModelSpec } from './spec.ts';

type Data = Record<string, unknown>;
type Path = (string | number)[];

/** The smallest delay desflow's sampler returns: every draw is raised to it. */
const MIN_DELAY = 0.00001;
// desflow's time-valued distribution parameters (in seconds or a duration such as `5 min`).
const TIMED = new Set(['mean', 'std', 'low', 'mode', 'high', 'scale', 'value']);

/**
 * Whether a parsed model file is a desflow blueprint (it has a `simulation` section, ours a `simId`).
 *
 * @example
 * import { isDesflowBlueprint } from 'twinstream/sim';
 * isDesflowBlueprint({ simulation: { sim_id: 'Shop' } }); // true
 */
export function isDesflowBlueprint(data: unknown): data is Data {
  return data !== null && typeof data === 'object' && !Array.isArray(data) && Object.hasOwn(data, 'simulation');
}

/**
 * Translates a desflow 0.25 blueprint (its `desflow schema`) into a twinstream model: `simulation` (with its clock:
 * `logical_start_time`, `timezone`, `go_live_at`, `warmup`), `resources`, `containers`, `stores` (priority stores
 * too), `services`, `arrivals` (each with `spawn` becomes a flow; a `replay` reads its rows into arrival times and
 * attributes), `variables`, `signals`, `tasks` (every wait branch, `subscribe`, `fire.from`), `scenario` (updates,
 * records, interrupts), `stats`, `run` and the Console, Parquet, Jsonl and Kafka sinks with their `when`.
 * Distributions keep desflow's meaning: a lognormal by its mean and std, a normal with no std is constant, and every
 * draw is at least 1e-5 s as desflow's sampler makes it. What needs Python (`!python` references, `processes`,
 * `telemetry` functions) or is not translated yet (`run.drain`, `lag_interval`, `batching`) throws
 * `TS_SIM_BAD_MODEL` naming the field, with its line when `lineOf` can tell it.
 *
 * @example
 * import { fromDesflow } from 'twinstream/sim';
 * const spec = fromDesflow({
 *   simulation: { sim_id: 'Shop', factor: 0 },
 *   resources: { lathe: { current_cap: 2 } },
 *   services: { cut: { dist: 'normal', mean: 3, std: 0.5 } },
 *   arrivals: { parts: { dist: 'exponential', rate: 0.5, spawn: 'cut' } },
 *   tasks: { cut: { service: 'cut', resource: 'lathe', payload: {} } },
 *   run: { until: 3600 },
 * });
 * spec.flows; // [{ name: 'parts', arrival: 'parts', entity: 'parts', start: 'cut' }]
 */
export function fromDesflow(
  blueprint: Data,
  source = 'blueprint',
  lineOf?: (path: readonly PropertyKey[]) => number | string | undefined,
): ModelSpec {
  const fail = (path: Path, message: string): never => {
    const line = lineOf?.(path);
    throw new TwinstreamError(
      'TS_SIM_BAD_MODEL',
      `${source} (a desflow blueprint): ${path.join('.')}${line === undefined ? '' : ` (line ${line})`}: ${message}`,
      { context: { source, path } },
    );
  };
  const obj = (v: unknown, path: Path): Data => {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) fail(path, `expected a mapping, got ${JSON.stringify(v)}`);
    return v as Data;
  };
  const seconds = (v: unknown, path: Path): number => {
    if (typeof v === 'number') return v;
    const s = typeof v === 'string' ? simSeconds(v) : undefined;
    if (s === undefined) return fail(path, `expected seconds or a duration such as "10 min", got ${JSON.stringify(v)}`);
    return s;
  };
  const refuse = (d: Data, keys: string[], path: Path, why: string) => {
    for (const k of keys) if (d[k] !== undefined && d[k] !== null) fail([...path, k], why);
  };
  const NOT_YET = 'is not translated to twinstream yet';
  const PYTHON = 'needs Python, which a twinstream model cannot run';

  const sim = obj(blueprint.simulation, ['simulation']);
  refuse(sim, ['environment'], ['simulation'], PYTHON);
  refuse(sim, ['lag_interval'], ['simulation'], NOT_YET);
  if (typeof sim.sim_id !== 'string') fail(['simulation', 'sim_id'], 'expected the simulation name');
  const time = (key: string): string | undefined => {
    const v = sim[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string')
      fail(['simulation', key], 'expected now, a signed duration such as -1d, or an ISO datetime');
    // desflow reads `now` in any case and allows spaces around the parts.
    return (v as string).trim().toLowerCase() === 'now' ? 'now' : (v as string).trim();
  };
  const logicalStartTime = time('logical_start_time');
  const goLiveAt = time('go_live_at');
  const timeZone = sim.timezone === undefined || sim.timezone === null ? undefined : String(sim.timezone);
  const warmup =
    sim.warmup === undefined || sim.warmup === null ? undefined : seconds(sim.warmup, ['simulation', 'warmup']);
  if (sim.initial_time !== undefined && sim.initial_time !== null && sim.initial_time !== 0)
    fail(['simulation', 'initial_time'], `a start other than 0 ${NOT_YET}`);
  refuse(blueprint, ['processes', 'telemetry', 'ingress'], [], PYTHON);
  refuse(blueprint, ['batching'], [], NOT_YET);

  const distribution = (d: unknown, path: Path): Data => {
    const c = obj(d, path);
    const out: Data = {};
    for (const [k, v] of Object.entries(c)) {
      if (k === 'spawn' || k === 'attributes' || k === 'replay' || v === null) continue;
      if (k === 'values' && Array.isArray(v)) out[k] = v.map((x, i) => seconds(x, [...path, k, i]));
      else out[k] = TIMED.has(k) ? seconds(v, [...path, k]) : v;
    }
    if (Array.isArray(c.edges)) out.edges = c.edges.map((x, i) => seconds(x, [...path, 'edges', i]));
    switch (out.dist) {
      case 'normal':
        out.std ??= 0;
        break;
      case 'lognormal':
        // By the mean and std of its draws, as desflow gives it (so a live update of `mean` means the same).
        out.std ??= 0;
        break;
      case 'truncated_normal':
        // desflow's has no upper bound, a std of 0 by default and low 0 by default.
        out.std ??= 0;
        out.low ??= 0;
        if (out.high !== undefined) fail([...path, 'high'], "desflow's truncated_normal takes mean, std and low only");
        break;
    }
    out.min = MIN_DELAY;
    return out;
  };
  const capacity = (c: Data, path: Path, defaultCap: number | undefined) => {
    const current = c.current_cap ?? (c.max_cap === undefined ? defaultCap : c.max_cap);
    const cur = current === undefined ? Number.POSITIVE_INFINITY : (current as number);
    const max = (c.max_cap as number | undefined) ?? cur;
    if (typeof cur !== 'number' || typeof max !== 'number') fail(path, 'expected numeric current_cap and max_cap');
    return { currentCap: cur, maxCap: max === 0 ? Number.POSITIVE_INFINITY : max };
  };

  const spec: Data = { simId: sim.sim_id };
  const resources: Data = {};
  for (const [name, r0] of Object.entries(obj(blueprint.resources, ['resources']))) {
    const path = ['resources', name];
    const r = obj(r0, path);
    refuse(r, ['type'], path, PYTHON);
    const out: Data = capacity(r, path, 1);
    if (r.queue !== undefined && r.queue !== 'fifo') out.queue = r.queue;
    if (r.preempt === true) out.preempt = true;
    if (r.queue_limit !== undefined && r.queue_limit !== null) out.queueLimit = r.queue_limit;
    if (r.breakdown !== undefined && r.breakdown !== null) {
      const b = obj(r.breakdown, [...path, 'breakdown']);
      out.breakdown = {
        timeToFailure: distribution(b.time_to_failure, [...path, 'breakdown', 'time_to_failure']),
        repair: distribution(b.repair, [...path, 'breakdown', 'repair']),
        ...(b.work === undefined ? {} : { work: b.work }),
      };
    }
    resources[name] = out;
  }
  const containers: Data = {};
  for (const [name, c0] of Object.entries(obj(blueprint.containers, ['containers']))) {
    const c = obj(c0, ['containers', name]);
    refuse(c, ['type'], ['containers', name], PYTHON);
    containers[name] = { ...capacity(c, ['containers', name], undefined), init: (c.level as number | undefined) ?? 0 };
  }
  const stores: Data = {};
  for (const [name, s0] of Object.entries(obj(blueprint.stores, ['stores']))) {
    const s = obj(s0, ['stores', name]);
    refuse(s, ['type'], ['stores', name], PYTHON);
    stores[name] = {
      ...capacity(s, ['stores', name], undefined),
      ...(s.items === undefined ? {} : { items: s.items }),
      ...(s.priority === true ? { priority: true } : {}),
    };
  }
  const service: Data = {};
  for (const [name, d] of Object.entries(obj(blueprint.services, ['services']))) {
    service[name] = distribution(d, ['services', name]);
  }
  const arrival: Data = {};
  const flows: Data[] = [];
  for (const [name, a0] of Object.entries(obj(blueprint.arrivals, ['arrivals']))) {
    const a = obj(a0, ['arrivals', name]);
    if (a.replay !== undefined && a.replay !== null) {
      const r = obj(a.replay, ['arrivals', name, 'replay']);
      if (typeof r.path !== 'string') fail(['arrivals', name, 'replay', 'path'], 'expected the CSV or Parquet file');
      // desflow's defaults: a `time` column in seconds, every column an attribute, a row without a time an error.
      arrival[name] = {
        dist: 'replay',
        file: r.path,
        column: r.time ?? 'time',
        unit: r.unit ?? 's',
        fields: r.fields ?? 'all',
        onInvalid: r.on_invalid ?? 'error',
      };
    } else arrival[name] = distribution(a, ['arrivals', name]);
    if (typeof a.spawn !== 'string')
      fail(['arrivals', name, 'spawn'], `expected the task each arrival starts (${PYTHON} otherwise)`);
    const attributes = obj(a.attributes, ['arrivals', name, 'attributes']);
    flows.push({
      name,
      arrival: name,
      // desflow keys an arrival's entities `<arrival>-<n>` from 1.
      entity: name,
      start: a.spawn,
      ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    });
  }
  const tasks: Data = {};
  for (const [name, t0] of Object.entries(obj(blueprint.tasks, ['tasks']))) {
    tasks[name] = task(obj(t0, ['tasks', name]), ['tasks', name]);
  }

  function wait(w0: unknown, path: Path): Data {
    const w = obj(w0, path);
    if (w.timeout !== undefined) {
      const t = w.timeout;
      if (t !== null && typeof t === 'object') {
        const tt = t as Data;
        return { timeout: { after: seconds(tt.after, [...path, 'timeout', 'after']), value: tt.value ?? null } };
      }
      return { timeout: seconds(t, [...path, 'timeout']) };
    }
    const group = (g: unknown, p: Path) =>
      Object.fromEntries(Object.entries(obj(g, p)).map(([k, b]) => [k, wait(b, [...p, k])]));
    if (w.any !== undefined) return { any: group(w.any, [...path, 'any']) };
    if (w.all !== undefined) return { all: group(w.all, [...path, 'all']) };
    if (w.at_least !== undefined) return { atLeast: w.at_least, of: group(w.of, [...path, 'of']) };
    if (w.request !== undefined) return { request: w.request };
    if (w.get !== undefined) return { get: transfer(w.get, [...path, 'get']) };
    if (w.put !== undefined) return { put: transfer(w.put, [...path, 'put']) };
    if (w.running !== undefined) return { running: runningOf(w.running, [...path, 'running']) };
    return w;
  }
  function actions(list: unknown, path: Path): Data[] {
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list)) fail(path, 'expected a list of actions');
    return (list as unknown[]).map((a0, i) => {
      const a = obj(a0, [...path, i]);
      if (a.fire !== undefined && a.fire !== null) {
        const f = obj(a.fire, [...path, i, 'fire']);
        const from = f.from === undefined || f.from === null ? undefined : f.from;
        return {
          fire: {
            signal: f.signal,
            // desflow fires `from` an outcome when it has one, and its value otherwise.
            ...(from !== undefined ? { from } : f.value === undefined ? {} : { value: f.value }),
            ...(f.after === undefined || f.after === null
              ? {}
              : { after: seconds(f.after, [...path, i, 'fire', 'after']) }),
            ...(f.urgent === true ? { urgent: true } : {}),
          },
        };
      }
      if (a.spawn !== undefined && a.spawn !== null) return { spawn: spawnOf(a.spawn, [...path, i, 'spawn']) };
      if (a.interrupt !== undefined && a.interrupt !== null) return { interrupt: interruptOf(a.interrupt) };
      return { path: camelPath(a.path as string), value: a.value };
    });
  }
  function runningOf(r0: unknown, path: Path): Data {
    const r = obj(r0, path);
    return { task: r.task, ...(r.where === undefined || r.where === null ? {} : { where: r.where }) };
  }
  function spawnOf(s0: unknown, path: Path): Data {
    const s = obj(s0, path);
    return {
      task: s.task,
      ...(s.after === undefined || s.after === null ? {} : { after: seconds(s.after, [...path, 'after']) }),
    };
  }
  function interruptOf(i0: unknown): Data {
    const i = i0 as Data;
    return {
      task: i.task,
      ...(i.where === undefined || i.where === null ? {} : { where: i.where }),
      ...(i.cause === undefined || i.cause === null ? {} : { cause: i.cause }),
    };
  }
  function transfer(x0: unknown, path: Path): Data {
    const x = obj(x0, path);
    const out: Data = {};
    for (const k of ['container', 'store', 'amount', 'filter', 'wait'])
      if (x[k] !== undefined && x[k] !== null) out[k] = x[k];
    // desflow reads a priority only on a put into a priority store (and ranks by 0 when it is left out).
    const ranked = typeof x.store === 'string' && (stores[x.store] as Data | undefined)?.priority === true;
    if (ranked && path.at(-1) === 'put' && x.priority !== undefined && x.priority !== null) out.priority = x.priority;
    return out;
  }
  function task(t: Data, path: Path): Data {
    if (t.payload !== undefined && (t.payload === null || typeof t.payload !== 'object'))
      fail([...path, 'payload'], PYTHON);
    const out: Data = {};
    if (t.subscribe !== undefined && t.subscribe !== null) {
      const s = obj(t.subscribe, [...path, 'subscribe']);
      if (typeof s.signal === 'string') out.subscribe = { signal: s.signal };
      else if (typeof s.task === 'string') out.subscribe = { task: s.task };
      else if (s.running !== undefined)
        out.subscribe = { running: runningOf(s.running, [...path, 'subscribe', 'running']) };
      else fail([...path, 'subscribe'], 'expected { signal } or { task }');
    }
    const copy: [string, string][] = [
      ['service', 'service'],
      ['resource', 'resource'],
      ['payload', 'payload'],
      ['id_field', 'idField'],
      ['item_field', 'itemField'],
      ['attributes', 'attributes'],
      ['priority', 'priority'],
      ['balk', 'balk'],
      ['set', 'set'],
      ['signal', 'signal'],
      ['fail', 'fail'],
      ['fail_reason', 'failReason'],
      ['on_fail', 'onFail'],
      ['keep', 'keep'],
      ['preempt', 'preempt'],
      ['on_interrupt', 'onInterrupt'],
      ['on_interrupt_next', 'onInterruptNext'],
    ];
    for (const [from, to] of copy) {
      const v = t[from];
      if (v === undefined || v === null) continue;
      if ((from === 'keep' || from === 'attributes') && Array.isArray(v) && v.length === 0) continue;
      if (from === 'set' && typeof v === 'object' && Object.keys(v).length === 0) continue;
      out[to] = v;
    }
    if (t.patience !== undefined && t.patience !== null) {
      const p = t.patience;
      out.patience = typeof p === 'string' && !/^\s*\d/.test(p) ? p : seconds(p, [...path, 'patience']);
    }
    if (t.get !== undefined && t.get !== null) out.get = transfer(t.get, [...path, 'get']);
    if (t.put !== undefined && t.put !== null) out.put = transfer(t.put, [...path, 'put']);
    if (t.next !== undefined && t.next !== null) {
      const n = t.next;
      if (typeof n === 'string') out.next = n;
      else {
        const nn = obj(n, [...path, 'next']);
        out.next =
          nn.weights !== undefined && nn.weights !== null
            ? { weights: nn.weights }
            : {
                when: nn.when ?? [],
                ...(nn.default === undefined || nn.default === null ? {} : { default: nn.default }),
              };
      }
    }
    if (t.wait !== undefined && t.wait !== null) out.wait = wait(t.wait, [...path, 'wait']);
    if (t.spawn !== undefined && t.spawn !== null) out.spawn = spawnOf(t.spawn, [...path, 'spawn']);
    if (t.interrupt !== undefined && t.interrupt !== null) out.interrupt = interruptOf(t.interrupt);
    const on = actions(t.on, [...path, 'on']);
    if (on.length > 0) out.on = on;
    return out;
  }

  if (Object.keys(resources).length > 0) spec.resources = resources;
  if (Object.keys(containers).length > 0) spec.containers = containers;
  if (Object.keys(stores).length > 0) spec.stores = stores;
  spec.arrival = arrival;
  spec.service = service;
  if (blueprint.variables !== undefined) spec.variables = blueprint.variables;
  const signals = blueprint.signals;
  if (Array.isArray(signals)) spec.signals = Object.fromEntries(signals.map((s) => [s, {}]));
  else if (signals !== undefined && signals !== null) {
    spec.signals = Object.fromEntries(
      Object.entries(obj(signals, ['signals'])).map(([k, s0]) => {
        const s = obj(s0, ['signals', k]);
        const on = actions(s.on, ['signals', k, 'on']);
        return [k, { ...(s.once === true ? { once: true } : {}), ...(on.length > 0 ? { on } : {}) }];
      }),
    );
  }
  spec.entities = { numberFrom: 1, spawned: 'parent' };
  spec.flows = flows;
  if (Object.keys(tasks).length > 0) spec.tasks = tasks;
  const scenario = blueprint.scenario;
  if (Array.isArray(scenario) && scenario.length > 0) {
    const steps = scenario.map((s0, i) => {
      const s = obj(s0, ['scenario', i]);
      const record = s.record === undefined || s.record === null ? undefined : obj(s.record, ['scenario', i, 'record']);
      return {
        at: seconds(s.at, ['scenario', i, 'at']),
        ...(s.path === undefined || s.path === null ? {} : { path: camelPath(s.path as string), value: s.value }),
        ...(record === undefined ? {} : { record }),
        ...(s.interrupt === undefined || s.interrupt === null ? {} : { interrupt: interruptOf(s.interrupt) }),
      };
    });
    // Plain updates stay a schedule; steps with a ground-truth record or an interrupt make the model's scenario.
    if (steps.some((s) => s.record !== undefined || s.interrupt !== undefined)) spec.scenario = steps;
    else spec.schedule = steps;
  }
  const stats = blueprint.stats;
  if (typeof stats === 'string') spec.stats = { level: stats };
  else if (stats !== undefined && stats !== null) {
    const s = obj(stats, ['stats']);
    spec.stats = {
      level: s.level,
      ...(s.interval === undefined ? {} : { interval: seconds(s.interval, ['stats', 'interval']) }),
    };
  }
  const run = obj(blueprint.run, ['run']);
  refuse(run, ['before'], ['run'], PYTHON);
  if (run.drain !== undefined && run.drain !== false) fail(['run', 'drain'], NOT_YET);
  if (run.until === undefined || run.until === null)
    fail(['run', 'until'], 'expected how long to run (twinstream needs an until)');
  spec.run = {
    until: seconds(run.until, ['run', 'until']),
    // desflow paces the run at `factor` until `go_live_at` and at 1 (real time) from then; twinstream backfills
    // unpaced until `goLiveAt` and runs at `factor` from then.
    factor: goLiveAt === undefined ? ((sim.factor as number | undefined) ?? 1) : 1,
    ...(warmup === undefined ? {} : { warmup }),
    ...(typeof sim.random_seed === 'number' && sim.random_seed >= 1 ? { seed: sim.random_seed } : {}),
    // desflow's `{ signal: name }` or `{ condition: text }` is twinstream's, expression language included.
    ...(run.stop === undefined || run.stop === null ? {} : { stop: run.stop }),
    ...(logicalStartTime === undefined ? {} : { logicalStartTime }),
    ...(goLiveAt === undefined ? {} : { goLiveAt }),
    ...(timeZone === undefined ? {} : { timeZone }),
  };
  const egress = blueprint.egress;
  if (Array.isArray(egress) && egress.length > 0) {
    spec.egress = { sinks: egress.map((e0, i) => sink(obj(e0, ['egress', i]), ['egress', i])) };
  }
  function sink(e: Data, path: Path): Data {
    const config = obj(e.config, [...path, 'config']);
    const delivery: Data = {};
    if (e.when !== undefined && e.when !== null) {
      if (e.when !== 'history' && e.when !== 'live' && e.when !== 'labels')
        fail([...path, 'when'], `expected history, live or labels (a !python function ${PYTHON})`);
      delivery.when = e.when;
    }
    if (e.batch_size !== undefined && e.batch_size !== null) delivery.batchSize = e.batch_size;
    if (e.flush_interval !== undefined && e.flush_interval !== null)
      delivery.flushInterval = seconds(e.flush_interval, [...path, 'flush_interval']);
    switch (e.type) {
      case 'Console':
        return { type: 'console', ...delivery };
      case 'Parquet':
      case 'Jsonl': {
        refuse(config, ['path_router'], [...path, 'config'], PYTHON);
        refuse(config, ['filesystem'], [...path, 'config'], `${NOT_YET} (an s3-jsonl or s3-parquet sink does it)`);
        // desflow's file sinks write the events only, each value's fields unpacked into the record.
        const file = config.default_path ?? config.path;
        return {
          type: e.type === 'Parquet' ? 'parquet' : 'jsonl',
          ...(typeof file === 'string' ? { path: file } : {}),
          streams: ['event'],
          flatten: true,
          ...delivery,
        };
      }
      case 'Kafka': {
        refuse(config, ['topic_router', 'topic_serializers', 'default_serializer'], [...path, 'config'], PYTHON);
        const topics: Data = {};
        if (typeof config.telemetry_topic === 'string') topics.telemetry = config.telemetry_topic;
        if (typeof config.event_topic === 'string') topics.event = config.event_topic;
        return {
          type: 'kafka',
          brokers: config.bootstrap_servers,
          ...(Object.keys(topics).length > 0 ? { topics } : {}),
          ...delivery,
        };
      }
      default:
        return fail(
          [...path, 'type'],
          `the ${JSON.stringify(e.type)} connector ${NOT_YET} (Console, Parquet, Jsonl and Kafka are)`,
        );
    }
  }
  return spec as unknown as ModelSpec;
}

// desflow's registry paths name capacities in snake case; twinstream's in camel case. Names stay as written.
function camelPath(path: string): string {
  if (typeof path !== 'string') return path;
  return path
    .split('.')
    .map((p) => (p === 'current_cap' ? 'currentCap' : p === 'max_cap' ? 'maxCap' : p))
    .join('.');
}
