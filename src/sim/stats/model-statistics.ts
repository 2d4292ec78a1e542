import { badArgument } from '../../errors.ts';
import { Observations } from './observations.ts';
import { TimeAverage } from './time-average.ts';

/**
 * How much a run measures about itself, from nothing to percentiles (desflow's levels).
 *
 * @example
 * STATS_LEVELS.includes('typical'); // true
 */
export const STATS_LEVELS = ['none', 'minimal', 'basic', 'typical', 'all'] as const;
/** One of `STATS_LEVELS`. */
export type StatsLevel = (typeof STATS_LEVELS)[number];

const MINIMAL = 1;
const BASIC = 2;
const TYPICAL = 3;
const ALL = 4;
const PERCENTILES = [50, 95, 99] as const;
const OUTCOMES = ['balked', 'reneged', 'failed', 'interrupted', 'preempted', 'resumed'] as const;

/** What statistics read from a resource: units in use, capacity, queued requests. */
export interface MeasuredResource {
  readonly count: number;
  readonly capacity: number;
  readonly queue: { readonly length: number };
}

/** What statistics read from a container (its level) or a store (its items). */
export interface MeasuredHolder {
  readonly capacity: number;
  readonly level: number;
}

/**
 * The statistics of one resource; `changed()` after anything that may change its use or its queue.
 *
 * @example
 * const lathe = statistics.resource('lathe', resource);
 * const req = resource.request();
 * lathe.changed(); // granted or queued: either changes the time averages
 */
export class ResourceStats {
  readonly name: string;
  readonly resource: MeasuredResource;
  readonly utilization: TimeAverage;
  readonly queueLength: TimeAverage;
  /** Breakdowns, for a resource that has them (published as `failures` and `downtime`, as desflow does). */
  breaks = false;
  failures = 0;
  private downFor = 0;
  private downSince = Number.NaN;
  private readonly clock: { readonly now: number };
  private readonly on: boolean;

  constructor(clock: { readonly now: number }, name: string, resource: MeasuredResource, on: boolean) {
    this.clock = clock;
    this.name = name;
    this.resource = resource;
    this.on = on;
    this.utilization = new TimeAverage(clock.now, utilization(resource));
    this.queueLength = new TimeAverage(clock.now, resource.queue.length);
  }

  /** The resource broke down (`true`) or was repaired (`false`) now. */
  down(isDown: boolean): void {
    this.breaks = true;
    const now = this.clock.now;
    if (isDown) {
      this.failures++;
      this.downSince = now;
    } else if (!Number.isNaN(this.downSince)) {
      this.downFor += now - this.downSince;
      this.downSince = Number.NaN;
    }
  }

  /** Time spent down so far, the current repair included. */
  downtime(now: number): number {
    return this.downFor + (Number.isNaN(this.downSince) ? 0 : now - this.downSince);
  }

  changed(): void {
    if (!this.on) return;
    const now = this.clock.now;
    const r = this.resource;
    this.utilization.update(now, utilization(r));
    this.queueLength.update(now, r.queue.length);
  }
}

// Busy units over capacity, in percent: a capacity lowered below the units in use shows over 100 until they finish.
function utilization(r: MeasuredResource): number {
  return r.capacity > 0 ? (r.count / r.capacity) * 100 : 0;
}

/**
 * The statistics of a container or store: its level averaged over time.
 *
 * @example
 * const tank = statistics.holder('containers', 'tank', container);
 * yield container.get(5);
 * tank.changed();
 */
export class HolderStats {
  readonly name: string;
  readonly category: 'containers' | 'stores';
  readonly holder: MeasuredHolder;
  readonly level: TimeAverage;
  private readonly clock: { readonly now: number };
  private readonly on: boolean;

  constructor(
    clock: { readonly now: number },
    category: 'containers' | 'stores',
    name: string,
    holder: MeasuredHolder,
    on: boolean,
  ) {
    this.clock = clock;
    this.category = category;
    this.name = name;
    this.holder = holder;
    this.on = on;
    this.level = new TimeAverage(clock.now, holder.level);
  }

  changed(): void {
    if (this.on) this.level.update(this.clock.now, this.holder.level);
  }
}

/**
 * The statistics of one task: entities in progress, finished, and their waits and services.
 *
 * @example
 * const milling = statistics.task('milling');
 * milling.inProgress++; // queued
 * milling.done(startedAt - queuedAt, env.now - startedAt);
 */
export class TaskStats {
  readonly name: string;
  inProgress = 0;
  finished = 0;
  /** Outcomes other than finishing, and interruptions, published once one happens (as desflow does). */
  balked = 0;
  reneged = 0;
  failed = 0;
  interrupted = 0;
  preempted = 0;
  resumed = 0;
  readonly wait: Observations;
  readonly service: Observations;

  constructor(name: string, keep: boolean) {
    this.name = name;
    this.wait = new Observations(keep);
    this.service = new Observations(keep);
  }

  /** An entity finished the task after waiting `wait` and being served for `service`. */
  done(wait: number, service: number): void {
    this.inProgress--;
    this.finished++;
    this.wait.add(wait);
    this.service.add(service);
  }
}

/**
 * The counts of one flow: entities started, finished, and in the system now.
 *
 * @example
 * const orders = statistics.flow('orders');
 * orders.started++; // an entity arrived
 */
export class FlowStats {
  readonly name: string;
  started = 0;
  finished = 0;
  /** Entities whose flow ended in a failure no `onFail` handled. */
  failed = 0;
  /** Entities that left without finishing: they balked, reneged or abandoned their task. */
  ended = 0;

  constructor(name: string) {
    this.name = name;
  }
}

/**
 * The built-in statistics of a model run, by level: resources (`capacity`, `in_use`, `queue_length`, `utilization`;
 * time-weighted `utilization_avg` and `queue_length_avg`), containers and stores (`capacity`, `level`, `level_avg`),
 * tasks (`in_progress`, `finished`, `wait_*` and `service_*` mean/max/p50/p95/p99) and flows (`started`,
 * `finished`, `in_system`). `readings()` names each `<simId>.stats.<category>.<name>.<statistic>`, as desflow does.
 * Time averages integrate at every change, never by sampling.
 *
 * @example
 * const stats = new ModelStatistics(env, 'Line_A', 'typical');
 * const lathe = stats.resource('lathe', resource);
 * // after each request, grant and release: lathe.changed()
 * stats.readings()['Line_A.stats.resources.lathe.utilization_avg'];
 */
export class ModelStatistics {
  readonly simId: string;
  readonly level: StatsLevel;
  private readonly rank: number;
  private readonly clock: { readonly now: number };
  private readonly resources: ResourceStats[] = [];
  private readonly holders: HolderStats[] = [];
  private readonly tasks = new Map<string, TaskStats>();
  private readonly flows = new Map<string, FlowStats>();

  constructor(clock: { readonly now: number }, simId: string, level: StatsLevel = 'typical') {
    const rank = STATS_LEVELS.indexOf(level);
    if (rank < 0) badArgument('ModelStatistics', 'level', level, `one of ${STATS_LEVELS.join(', ')}`);
    this.clock = clock;
    this.simId = simId;
    this.level = level;
    this.rank = rank;
  }

  /** Whether anything is measured (level above `none`). */
  get enabled(): boolean {
    return this.rank > 0;
  }

  resource(name: string, resource: MeasuredResource): ResourceStats {
    const s = new ResourceStats(this.clock, name, resource, this.rank >= BASIC);
    this.resources.push(s);
    return s;
  }

  holder(category: 'containers' | 'stores', name: string, holder: MeasuredHolder): HolderStats {
    const s = new HolderStats(this.clock, category, name, holder, this.rank >= BASIC);
    this.holders.push(s);
    return s;
  }

  task(name: string): TaskStats {
    let s = this.tasks.get(name);
    if (s === undefined) this.tasks.set(name, (s = new TaskStats(name, this.rank >= ALL)));
    return s;
  }

  flow(name: string): FlowStats {
    let s = this.flows.get(name);
    if (s === undefined) this.flows.set(name, (s = new FlowStats(name)));
    return s;
  }

  /** Restarts every average and observation at the current time (the end of a warm-up); counts start again too. */
  reset(): void {
    const now = this.clock.now;
    for (const r of this.resources) {
      r.utilization.reset(now);
      r.queueLength.reset(now);
    }
    for (const h of this.holders) h.level.reset(now);
    for (const t of this.tasks.values()) {
      t.finished = 0;
      t.balked = t.reneged = t.failed = t.interrupted = t.preempted = t.resumed = 0;
      t.wait.reset();
      t.service.reset();
    }
    // Entities still in the system stay counted as started, so in_system carries over the warm-up.
    for (const f of this.flows.values()) {
      f.started -= f.finished + f.failed + f.ended;
      f.finished = f.failed = f.ended = 0;
    }
  }

  /** Every statistic the level measures, by its published name, at the current time. */
  readings(): Record<string, number> {
    const out: Record<string, number> = {};
    if (this.rank < MINIMAL) return out;
    const now = this.clock.now;
    const base = `${this.simId}.stats`;
    for (const s of this.resources) {
      const p = `${base}.resources.${s.name}`;
      const r = s.resource;
      out[`${p}.capacity`] = r.capacity;
      out[`${p}.in_use`] = r.count;
      out[`${p}.queue_length`] = r.queue.length;
      out[`${p}.utilization`] = utilization(r);
      if (this.rank >= BASIC) {
        out[`${p}.utilization_avg`] = s.utilization.average(now);
        out[`${p}.queue_length_avg`] = s.queueLength.average(now);
        if (s.breaks) {
          out[`${p}.downtime`] = s.downtime(now);
          out[`${p}.failures`] = s.failures;
        }
      }
    }
    for (const s of this.holders) {
      const p = `${base}.${s.category}.${s.name}`;
      out[`${p}.capacity`] = s.holder.capacity;
      out[`${p}.level`] = s.holder.level;
      if (this.rank >= BASIC) out[`${p}.level_avg`] = s.level.average(now);
    }
    for (const t of this.tasks.values()) {
      const p = `${base}.tasks.${t.name}`;
      out[`${p}.in_progress`] = t.inProgress;
      if (this.rank < BASIC) continue;
      out[`${p}.finished`] = t.finished;
      for (const k of OUTCOMES) if (t[k] > 0) out[`${p}.${k}`] = t[k];
      if (this.rank < TYPICAL) continue;
      for (const [kind, o] of [
        ['wait', t.wait],
        ['service', t.service],
      ] as const) {
        if (o.count === 0) continue;
        out[`${p}.${kind}_mean`] = o.mean();
        out[`${p}.${kind}_max`] = o.max;
        if (o.keeps) for (const q of PERCENTILES) out[`${p}.${kind}_p${q}`] = o.percentile(q);
      }
    }
    if (this.rank >= BASIC) {
      for (const f of this.flows.values()) {
        const p = `${base}.flows.${f.name}`;
        out[`${p}.started`] = f.started;
        out[`${p}.finished`] = f.finished;
        out[`${p}.in_system`] = f.started - f.finished - f.failed - f.ended;
        if (f.failed > 0) out[`${p}.failed`] = f.failed;
      }
    }
    return out;
  }
}
