import { join } from 'node:path';
import { TwinstreamError } from '../../errors.ts';
import { ConsoleEgress } from '../egress/console.ts';
import type { EgressSink } from '../egress/egress.ts';
import { JsonlStorageEgress } from '../egress/jsonl.ts';
import { DEFAULT_SIM_TOPICS, KafkaEgress } from '../egress/kafka.ts';
import { ParquetStorageEgress } from '../egress/parquet.ts';
import { S3JsonlEgress, S3ParquetEgress } from '../egress/s3.ts';
import type { PathRouter } from '../egress/schema.ts';
import type { SimRecord } from '../telemetry.ts';
import type { ModelSink } from './spec.ts';

/** How a model sink shapes records: which stream types it keeps, whether it flattens `value`, which fields it drops. */
export interface RecordShaping {
  streams?: readonly ('event' | 'telemetry')[];
  flatten?: boolean;
  drop?: readonly string[];
}

/**
 * A path router from declarative options (desflow's `path_router`): drops records of other stream types, merges an
 * object `value` into the record (`flatten`), deletes the `drop` fields, and routes to `path` with `{stream_type}`
 * replaced.
 *
 * @example
 * const router = shapingRouter('out/{stream_type}.parquet', { streams: ['event'], flatten: true });
 * router({ stream_type: 'event', key: 'task-1', value: { status: 'queued' } }); // 'out/event.parquet', record flattened
 * @internal
 */
export function shapingRouter(path: string, shaping: RecordShaping): PathRouter {
  const streams = shaping.streams === undefined ? null : new Set<string>(shaping.streams);
  const drop = shaping.drop ?? [];
  const flatten = shaping.flatten === true;
  return (r) => {
    if (streams !== null && !streams.has(String(r.stream_type))) return null;
    if (flatten) {
      const nested = r.value;
      if (nested !== null && typeof nested === 'object' && !Array.isArray(nested)) {
        delete r.value;
        Object.assign(r, nested);
      }
    }
    for (const f of drop) delete r[f];
    return path.replaceAll('{stream_type}', String(r.stream_type));
  };
}

/**
 * The egress sinks a model's `egress.sinks` describe; local paths are relative to `outDir`.
 *
 * @example
 * modelSinks([{ type: 'parquet', path: 'events.parquet', streams: ['event'], flatten: true }], 'data');
 * @internal
 */
export function modelSinks(specs: readonly ModelSink[], outDir: string, print?: (line: string) => void): EgressSink[] {
  return specs.map((s): EgressSink => {
    switch (s.type) {
      case 'console': {
        const router = shapingRouter('console', s);
        const shaped = (batch: readonly SimRecord[]) => {
          const out: SimRecord[] = [];
          for (const rec of batch) {
            const copy = { ...rec } as Record<string, unknown>;
            if (router(copy) !== null) out.push(copy as unknown as SimRecord);
          }
          return out;
        };
        const console = new ConsoleEgress(print);
        return { name: 'console', write: (batch) => console.write(shaped(batch)) };
      }
      case 'jsonl':
        return new JsonlStorageEgress({ pathRouter: shapingRouter(join(outDir, s.path ?? '{stream_type}.jsonl'), s) });
      case 'parquet':
        return new ParquetStorageEgress({
          pathRouter: shapingRouter(join(outDir, s.path ?? '{stream_type}.parquet'), s),
        });
      case 's3-jsonl':
      case 's3-parquet': {
        const options = {
          bucket: s.bucket,
          ...(s.prefix === undefined ? {} : { prefix: s.prefix }),
          ...(s.endpoint === undefined ? {} : { endpoint: s.endpoint }),
          ...(s.region === undefined ? {} : { region: s.region }),
          ...(s.forcePathStyle === undefined ? {} : { forcePathStyle: s.forcePathStyle }),
          pathRouter: shapingRouter(s.path ?? '{stream_type}', s),
        };
        return s.type === 's3-jsonl' ? new S3JsonlEgress(options) : new S3ParquetEgress(options);
      }
      case 'kafka':
        return kafkaSink(s);
      default:
        throw new TwinstreamError(
          'TS_SIM_BAD_MODEL',
          `egress sink type ${JSON.stringify((s as ModelSink).type)} is not known`,
        );
    }
  });
}

/** A Kafka sink of a model: shaping first, then the topic (`topic` with `{stream_type}` replaced, or `topics`). */
function kafkaSink(s: Extract<ModelSink, { type: 'kafka' }>): EgressSink {
  const topics: Record<string, string | null | undefined> = { ...DEFAULT_SIM_TOPICS, ...s.topics };
  const shape = shapingRouter(s.topic ?? '{stream_type}', s);
  return new KafkaEgress({
    brokers: s.brokers,
    ...(s.clientId === undefined ? {} : { clientId: s.clientId }),
    ...(s.compression === undefined ? {} : { compression: s.compression }),
    createTopics: { partitions: s.partitions ?? 1 },
    topicRouter: (r) => {
      const type = String(r.stream_type);
      const topic = shape(r);
      if (topic === null || topic === undefined) return null;
      return s.topic === undefined ? (topics[type] ?? null) : topic;
    },
  });
}
