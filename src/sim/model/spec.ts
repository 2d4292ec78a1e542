import type { DistributionConfig } from '../distributions.ts';
import type { StatsLevel } from '../stats/model-statistics.ts';
import type { ScenarioStep } from './scenario.ts';
import type { SinkDelivery } from './sink-delivery.ts';

/**
 * A resource, container or store capacity in a model; `currentCap` may change while the model runs. A model file
 * may leave either out, as a desflow blueprint may (`maxCap` defaults to `currentCap`, `currentCap` to `maxCap`,
 * or with neither to one unit for a resource and no limit for a container or a store); validated, it has both.
 */
export interface ModelCapacity {
  currentCap: number;
  maxCap: number;
}

/**
 * A resource: its capacity (`Infinity`, `.inf` in YAML, for no limit), the order its queue is served in (`fifo`,
 * `lifo`, or `priority` by the requesting task's `priority`, lowest first), whether a more important request
 * preempts a user, how many requests may wait (`queueLimit`: a task arriving at a full queue balks), and how it
 * breaks down.
 */
export interface ModelResource extends ModelCapacity {
  queue?: 'fifo' | 'lifo' | 'priority';
  preempt?: boolean;
  queueLimit?: number;
  breakdown?: ModelBreakdown;
}

/**
 * A resource's breakdowns: after each `timeToFailure` the resource is down (every unit taken) for a `repair`; the
 * tasks it serves are interrupted (`work: 'interrupt'`, default; they follow their `onInterrupt`) or finish first
 * (`'finish'`). Events `down` and `repaired` are published under the key `<resource>-breakdown`.
 */
export interface ModelBreakdown {
  timeToFailure: DistributionConfig;
  repair: DistributionConfig;
  work?: 'interrupt' | 'finish';
}

/**
 * A store: its capacity and the items it holds when the run starts. A `priority` store keeps its items by rank, and
 * a get takes the lowest (of equal ranks, the first put): a put gives the rank (its `priority`, default 0) and
 * `items` are `[rank, item]` pairs.
 */
export interface ModelStore extends ModelCapacity {
  items?: unknown[];
  priority?: boolean;
}

/** A number, or an expression (text) such as `payload.quantity` evaluated for each entity. */
export type ModelAmount = number | string;

/**
 * A task's `get` or `put`: one `container` and an `amount` (default 1), or one `store` (a get may `filter` its items
 * by a condition on `item.`; a put puts the task's payload, into a priority store with its `priority`: a number, a
 * list ordered element by element, or an expression such as `attr.rush`). With `wait: false` the transfer is made
 * and not waited for (a put into a full container does not hold the task up).
 */
export interface ModelTransfer {
  container?: string;
  store?: string;
  amount?: ModelAmount;
  priority?: number | string | (number | string)[];
  filter?: string;
  wait?: boolean;
}

/** Where an entity goes after a task: a task's name, the first `when` rule whose condition holds (else `default`), or a task drawn by `weights`. */
export type ModelNext =
  | string
  | { when: { condition: string; task: string }[]; default?: string }
  | { weights: Record<string, number> };

/**
 * What a task waits for before it takes its resources: a signal's next firing, a child flow, a timeout, a condition,
 * a unit of a resource (`request`: won, it is held until the task ends), a `get` or `put` (as a task's; a put gives
 * the payload handed on), the end of the running instances of a task (`running`, those whose `where` holds), or
 * any/all/at least n of named branches. A request, get or put that loses is withdrawn.
 */
export type ModelWait<Time = SimDuration> =
  | { request: string }
  | { running: { task: string; where?: string } }
  | { get: ModelTransfer }
  | { put: ModelTransfer }
  | { signal: string }
  | { task: string }
  | { timeout: Time | { after: Time; value?: unknown } }
  | { condition: string }
  | { any: Record<string, ModelWait<Time>> }
  | { all: Record<string, ModelWait<Time>> }
  | { atLeast: number; of: Record<string, ModelWait<Time>> };

/**
 * An action run when a task ends or a signal fires: fire a signal, spawn an entity, interrupt tasks, or set a
 * parameter. A `fire` fires with its `value`, or with the outcome it copies `from` a signal (its last firing) or a
 * task (the entity's last instance of it: its payload, or a failure with its reason); with nothing to copy yet it
 * fires nothing.
 */
export type ModelAction<Time = SimDuration> =
  | { fire: { signal: string; value?: unknown; from?: string; after?: Time; urgent?: boolean } }
  | { spawn: { task: string; after?: Time } }
  | { interrupt: { task: string; where?: string; cause?: unknown } }
  | { path: string; value: unknown };

/**
 * A task of a flow (desflow's task): wait (`wait`), balk (`balk` condition, or a full `queueLimit`), queue for its
 * resources in order (`resource`, one or a list; `priority`, `preempt`, `patience` to renege), take (`get`), hold
 * for a sample of `service`, give (`put`), fail (`fail` condition, to `onFail`), then set attributes (`set`), fire
 * its `signal`, run its `on` actions, start a new entity (`spawn`) and go to `next`. Resources named in `keep` stay
 * held for the next task. With `subscribe`, a signal or a child flow interrupts it while it runs.
 */
export interface ModelTask<Time = SimDuration> {
  service?: string;
  resource?: string | string[];
  keep?: string[];
  priority?: ModelAmount;
  preempt?: boolean;
  patience?: Time | string;
  balk?: string;
  get?: ModelTransfer;
  put?: ModelTransfer;
  set?: Record<string, unknown>;
  next?: ModelNext;
  spawn?: { task: string; after?: Time };
  signal?: string;
  fail?: string;
  failReason?: string;
  onFail?: string;
  onInterrupt?: 'resume' | 'restart' | 'abandon';
  onInterruptNext?: string;
  interrupt?: { task: string; where?: string; cause?: unknown };
  wait?: ModelWait<Time>;
  /**
   * Be told while running: when the signal fires next, the child flow started at the task (for the same entity)
   * ends, or the running instances of a task end, the task is interrupted with the cause `{ event, value }` and
   * follows its `onInterrupt`.
   */
  subscribe?: { signal: string } | { task: string } | { running: { task: string; where?: string } };
  on?: ModelAction<Time>[];
  /** The finished event's fields (default `{ status: 'finished' }`); text values are literal. */
  payload?: Record<string, unknown>;
  /** Adds the entity's key to the payload under this name. */
  idField?: string;
  /** Adds the item a store get took under this name. */
  itemField?: string;
  /** Adds these attributes to the payload. */
  attributes?: string[];
}

/** A signal: fired by tasks and actions, waited on by tasks; `once` fires only the first time (SimPy's event). */
export interface ModelSignal<Time = SimDuration> {
  once?: boolean;
  on?: ModelAction<Time>[];
}

/** A container: a level between 0 and its capacity, starting at `init`. */
export interface ModelContainer extends ModelCapacity {
  init?: number;
}

/** An amount taken from or given to a container by a step. */
export interface ModelContainerAmount {
  container: string;
  amount?: number;
}

/**
 * One step of a flow: optionally take a unit of `resource` (waiting in its queue: status `queued`, then `started`),
 * take from containers (`consume`), hold for a sample of `service`, give to containers (`produce`), release the
 * resource, put the entity's key into a `store`, and publish `finished`.
 */
export interface ModelStep {
  resource?: string;
  service: string;
  consume?: ModelContainerAmount[];
  produce?: ModelContainerAmount[];
  store?: string;
}

/**
 * A flow of entities: they arrive by the `arrival` distribution and go through `steps` in order, or start at the
 * task `start` and follow each task's `next`. `attributes` are set on each entity when it arrives: a number, a
 * boolean, or an expression (text).
 */
export interface ModelFlow {
  name: string;
  arrival: string;
  /** Entity keys are `<entity>-<n>` (default `task`). */
  entity?: string;
  /** Stop creating entities after this many (default: no limit). */
  limit?: number;
  steps?: ModelStep[];
  start?: string;
  attributes?: Record<string, unknown>;
}

/**
 * Where and how records are written. `path` is relative to the output directory; `{stream_type}` is replaced.
 * `when`, `batchSize` and `flushInterval` choose which records a sink gets, and how often (`SinkDelivery`).
 */
export type ModelSink = SinkDelivery &
  (
    | { type: 'console'; streams?: ('event' | 'telemetry')[]; flatten?: boolean; drop?: string[] }
    | {
        type: 'jsonl' | 'parquet';
        path?: string;
        streams?: ('event' | 'telemetry')[];
        flatten?: boolean;
        drop?: string[];
      }
    | {
        type: 's3-jsonl' | 's3-parquet';
        bucket: string;
        prefix?: string;
        path?: string;
        endpoint?: string;
        region?: string;
        forcePathStyle?: boolean;
        streams?: ('event' | 'telemetry')[];
        flatten?: boolean;
        drop?: string[];
      }
    | {
        type: 'kafka';
        brokers: string | string[];
        /** One topic for all records; `{stream_type}` is replaced. */
        topic?: string;
        /** A topic per stream type (default `sim-telemetry` and `sim-events`); null drops that type. */
        topics?: { telemetry?: string | null; event?: string | null };
        clientId?: string;
        compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
        /** Partitions of topics created when missing (default 1). */
        partitions?: number;
        streams?: ('event' | 'telemetry')[];
        flatten?: boolean;
        drop?: string[];
      }
  );

/**
 * A simulated duration in a model: a number of seconds (the model's time unit), or a duration string such as
 * `'90s'`, `'5m'`, `'1h'`, `'7d'`. Validation turns strings into seconds.
 */
export type SimDuration = number | string;

/**
 * What ends a run before `until` (desflow's `run.stop`): the first firing of a signal, or the first moment a
 * condition holds (checked at the start and after every change of the model's state; it may read levels, users,
 * queues, `count()`, signals, the registry and `t`, not an entity's `attr.` or `payload.`).
 */
export type ModelStop = { signal: string } | { condition: string };

/** How long and how fast a model runs. */
export interface ModelRun<Time = SimDuration> {
  /** How long to run: seconds, or a duration string such as `'7d'`. */
  until: Time;
  /**
   * A warm-up: for this long from the start nothing is published and, at its end, the statistics start afresh,
   * so an empty system filling up does not bias them. Must be less than `until`.
   */
  warmup?: Time;
  /**
   * After `until`, let the entities in the system finish: no new ones arrive, and the run goes on until the last
   * leaves, or for at most the given time (`true`: no limit).
   */
  drain?: boolean | Time;
  /** Wall time per simulated time: 0 runs as fast as possible (default 0). */
  factor?: number;
  /**
   * The timestamp simulated time 0 maps to: ISO 8601 (local times read in `timeZone`), `now`, or a signed duration
   * from now such as `-7d` (default: when the run starts, as `RealtimeEnvironment`).
   */
  logicalStartTime?: string;
  /** The IANA time zone local times of `logicalStartTime` and `goLiveAt` are read in (default UTC). */
  timeZone?: string;
  /**
   * Write record timestamps as local times in `timeZone` with its offset (`…T06:00:00.000+01:00`), as desflow does;
   * default false: UTC (`…T05:00:00.000Z`). A desflow blueprint with a `timezone` sets it.
   */
  localTimestamps?: boolean;
  /**
   * Backfill history unpaced until this time (as `logicalStartTime` takes it, such as `now`), then run paced at
   * `factor` (default 1 from there) as a live twin.
   */
  goLiveAt?: string;
  /** The sampler's seed (default 42). */
  seed?: number;
  /** Ends the run before `until`: at a signal's first firing, or when a condition first holds. */
  stop?: ModelStop;
}

/**
 * A declarative model (desflow's blueprint): the parameters of one simulated system (`simId` with its arrival and
 * service distributions, resources, containers, stores, variables), the flows of entities through it, timed
 * parameter updates, resource telemetry, the run and the egress. `runModel` validates it and runs it.
 */
export interface ModelSpec<Time = SimDuration> {
  simId: string;
  description?: string;
  arrival: Record<string, DistributionConfig>;
  service: Record<string, DistributionConfig>;
  resources?: Record<string, ModelResource>;
  containers?: Record<string, ModelContainer>;
  stores?: Record<string, ModelStore>;
  /** The tasks flows start at (`flows[].start`) and chain with `next`. */
  tasks?: Record<string, ModelTask<Time>>;
  /** Signals, by name. */
  signals?: Record<string, ModelSignal<Time>>;
  variables?: Record<string, unknown>;
  /**
   * How entities are keyed and what a spawned one starts with: keys `<entity>-<n>` (a spawned one's `<task>-<n>`)
   * count n from `numberFrom` (default 0; desflow counts from 1); a spawned entity starts with a copy of its
   * spawner's attributes (`spawned: copy`, default) or with `{ parent: <the spawner's key> }` only (`parent`, as
   * desflow's).
   */
  entities?: { numberFrom?: number; spawned?: 'copy' | 'parent' };
  flows: ModelFlow[];
  schedule?: { at: Time; path: string; value: unknown }[];
  /** Timed parameter changes that also publish ground-truth label records (to sinks with `when: labels`). */
  scenario?: ScenarioStep<Time>[];
  /** Publish each resource's capacity, in_use, queue_length and utilization (and container levels, store sizes) every `interval`. */
  telemetry?: { interval: Time };
  /**
   * Built-in statistics: what they measure (`level`, default `typical`; they appear in the run summary) and, with
   * `interval`, publication as telemetry every `interval` and at the end of the run.
   */
  stats?: { level?: StatsLevel; interval?: Time };
  run: ModelRun<Time>;
  egress?: { batchSize?: number; flushInterval?: Time; sinks: ModelSink[] };
}
