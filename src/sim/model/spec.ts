import type { DistributionConfig } from '../distributions.ts';
import type { StatsLevel } from '../stats/model-statistics.ts';
import type { ScenarioStep } from './scenario.ts';
import type { SinkDelivery } from './sink-delivery.ts';

/** A resource, container or store capacity in a model; `currentCap` may change while the model runs. */
export interface ModelCapacity {
  currentCap: number;
  maxCap: number;
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

/** A flow of entities: they arrive by the `arrival` distribution and go through `steps` in order. */
export interface ModelFlow {
  name: string;
  arrival: string;
  /** Entity keys are `<entity>-<n>` (default `task`). */
  entity?: string;
  /** Stop creating entities after this many (default: no limit). */
  limit?: number;
  steps: ModelStep[];
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
   * Backfill history unpaced until this time (as `logicalStartTime` takes it, such as `now`), then run paced at
   * `factor` (default 1 from there) as a live twin.
   */
  goLiveAt?: string;
  /** The sampler's seed (default 42). */
  seed?: number;
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
  resources?: Record<string, ModelCapacity>;
  containers?: Record<string, ModelContainer>;
  stores?: Record<string, ModelCapacity>;
  variables?: Record<string, unknown>;
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
