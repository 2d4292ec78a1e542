import type { EgressSink } from '../egress/egress.ts';
import type { SimRecord } from '../telemetry.ts';

/** When and how often one sink of a model receives records (desflow's per-provider `when`, `batch_size`, `flush_interval`). */
export interface SinkDelivery {
  /**
   * Which records: `history` those before `run.goLiveAt` (the backfill), `live` those from it on (without
   * `goLiveAt` the whole run is history), `labels` the ground-truth records of the scenario and nothing else.
   * Default: all but labels.
   */
  when?: 'history' | 'live' | 'labels';
  /** Records handed to this sink at a time (default: as the egress batches them). */
  batchSize?: number;
  /** At most this much simulated time between writes of a partial batch (seconds, or a duration). */
  flushInterval?: number;
}

/**
 * A sink wrapped to receive only the records its `when` asks for (label records only with `when: labels`, so
 * `labels` tells whether the run publishes any), in batches of its own `batchSize` and at least
 * every `flushInterval` of simulated time; what it holds is written when it closes. Returns the sink itself when no
 * option is set.
 *
 * @example
 * const live = withDelivery(kafkaSink, { when: 'live', batchSize: 500 }, 604_800);
 * @internal
 */
export function withDelivery(
  sink: EgressSink,
  delivery: SinkDelivery,
  goLive: number | undefined,
  labels = false,
): EgressSink {
  const { when, batchSize, flushInterval } = delivery;
  if (!labels && when === undefined && batchSize === undefined && flushInterval === undefined) return sink;
  const wantsLabels = when === 'labels';
  const from = when === 'live' ? (goLive ?? Number.POSITIVE_INFINITY) : Number.NEGATIVE_INFINITY;
  const before = when === 'history' ? (goLive ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
  // Without a batchSize, what one egress batch brings is written as one batch.
  const size = batchSize ?? Number.POSITIVE_INFINITY;
  const interval = flushInterval ?? Number.POSITIVE_INFINITY;
  let held: SimRecord[] = [];
  let firstAt = 0;
  // Writes go to the sink one after another, in order: a sink still opening its file must not see a later batch
  // overtake an earlier one.
  let inFlight: Promise<void> | undefined;
  const flush = (): Promise<void> | undefined => {
    if (held.length === 0) return undefined;
    const batch = held;
    held = [];
    const written = inFlight === undefined ? sink.write(batch) : inFlight.then(() => sink.write(batch));
    if (written === undefined) return undefined;
    const mine: Promise<void> = written.then(() => {
      if (inFlight === mine) inFlight = undefined;
    });
    inFlight = mine;
    return mine;
  };
  return {
    name: sink.name,
    write(batch) {
      let pending: Promise<void>[] | null = null;
      for (const r of batch) {
        if (r.sim_ts < from || r.sim_ts >= before) continue;
        if (((r.stream_type as string) === 'label') !== wantsLabels) continue;
        if (held.length > 0 && r.sim_ts - firstAt >= interval) {
          const p = flush();
          if (p !== undefined) (pending ??= []).push(p);
        }
        if (held.length === 0) firstAt = r.sim_ts;
        held.push(r);
        if (held.length >= size) {
          const p = flush();
          if (p !== undefined) (pending ??= []).push(p);
        }
      }
      if (batchSize === undefined && flushInterval === undefined) {
        const p = flush();
        if (p !== undefined) (pending ??= []).push(p);
      }
      return pending === null ? undefined : Promise.all(pending).then(() => undefined);
    },
    async close() {
      await flush();
      await inFlight;
      await sink.close?.();
    },
  };
}
