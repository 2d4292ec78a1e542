import { resolve } from 'node:path';
import '../core/operators/sink.ts';
import type { Stream } from '../core/stream.ts';
import { badArgument, requireFunction } from '../errors.ts';
import type { PipelineOutput } from './pipeline-schema.ts';

/** What an output kind receives besides its configuration. */
export interface PipelineOutputContext {
  /** The folder output paths are relative to. */
  readonly outDir: string;
  /** Where the console output prints. */
  readonly print: (line: string) => void;
  /** The output's place in the file, such as `outputs[1]` or `steps[3].deadLetter`. */
  readonly at: string;
  /** The pipeline's name (its `name`, else `pipeline`). */
  readonly name: string;
  /**
   * The inputs' streams, the roots of the whole graph: what an output that shows the pipeline's metrics counts from
   * (read them when the pipeline starts: later outputs are attached after this one is made).
   */
  readonly roots: readonly Stream<any>[];
  /** One map per built pipeline, shared by its outputs: how several outputs serve one web page. */
  readonly shared: Map<string, unknown>;
}

/** A built output: the node it attached, and what to do once the graph is through. */
export interface BuiltOutput {
  readonly node: Stream<any>;
  /**
   * Called when the pipeline starts, before its inputs: an output that serves (the dashboard) listens here and
   * settles with its address, which is logged. A rejection fails the run.
   */
  start?(): Promise<string | null>;
  /** Releases what the output holds (a producer's connection) after the last element. */
  close?(): Promise<void>;
}

/**
 * Makes an output of the kind it was registered for: attaches a node to `stream` (nothing may start yet) and
 * returns it. The `config` is the output's entry of the pipeline file, validated.
 */
export type PipelineOutputFactory = (
  stream: Stream<any>,
  config: Readonly<Record<string, unknown>>,
  context: PipelineOutputContext,
) => BuiltOutput | Promise<BuiltOutput>;

const registered = new Map<string, PipelineOutputFactory>();

/**
 * Provides the output kind `type` of pipeline files. `dashboard` is validated by the pipeline reader and made by
 * the factory registered for it (the live dashboard registers one); a pipeline naming a kind nobody provides is
 * refused before it starts, with the line of the output.
 *
 * @example
 * import { registerPipelineOutput } from 'twinstream/pipeline';
 * registerPipelineOutput('dashboard', (stream, config) => ({ node: stream.sink((x) => myPage.push(config.title, x)) }));
 */
export function registerPipelineOutput(type: 'dashboard', factory: PipelineOutputFactory): void {
  if (type !== 'dashboard') badArgument('registerPipelineOutput', 'type', type, '"dashboard"');
  requireFunction('registerPipelineOutput', 'factory', factory);
  registered.set(type, factory);
}

/**
 * The factory registered for `type`, if any.
 * @example
 * registeredOutput('dashboard'); // undefined until the dashboard registers one
 * @internal
 */
export function registeredOutput(type: string): PipelineOutputFactory | undefined {
  return registered.get(type);
}

/**
 * Attaches one output of a pipeline file to `stream`, loading the connector it needs. Returns null for a kind
 * nobody provides (the caller names it).
 * @internal
 */
export async function createOutput(
  stream: Stream<any>,
  output: PipelineOutput,
  context: PipelineOutputContext,
): Promise<BuiltOutput | null> {
  const at = (p: string) => resolve(context.outDir, p);
  switch (output.type) {
    case 'console': {
      const format = output.format ?? 'json';
      return {
        node: stream.sink((x: unknown) => context.print(format === 'json' ? JSON.stringify(x) : textLine(x))),
      };
    }
    case 'jsonl': {
      await import('../connectors/files/to-jsonl.ts');
      return {
        node: stream.toJsonl(at(output.path), output.rollRows === undefined ? {} : { rollRows: output.rollRows }),
      };
    }
    case 'parquet': {
      await import('../connectors/parquet/to-parquet.ts');
      return {
        node: stream.toParquet(at(output.path), {
          ...(output.rowGroupSize === undefined ? {} : { rowGroupSize: output.rowGroupSize }),
          ...(output.rollRows === undefined ? {} : { rollRows: output.rollRows }),
          ...(output.timestamps === undefined ? {} : { timestamps: output.timestamps }),
        }),
      };
    }
    case 's3': {
      const { S3Storage } = await import('../connectors/s3/s3-storage.ts');
      const storage = new S3Storage({
        bucket: {
          bucket: output.bucket,
          ...(output.endpoint === undefined ? {} : { endpoint: output.endpoint }),
          ...(output.region === undefined ? {} : { region: output.region }),
          ...(output.forcePathStyle === undefined ? {} : { forcePathStyle: output.forcePathStyle }),
        },
        ...(output.prefix === undefined ? {} : { prefix: output.prefix }),
      });
      const options = { storage, ...(output.rollRows === undefined ? {} : { rollRows: output.rollRows }) };
      // The client's connections go once the last object is up.
      const close = async () => storage.bucket.close();
      if (output.format === 'jsonl') {
        await import('../connectors/files/to-jsonl.ts');
        return { node: stream.toJsonl(output.path, options), close };
      }
      await import('../connectors/parquet/to-parquet.ts');
      return { node: stream.toParquet(output.path, options), close };
    }
    case 'kafka': {
      await import('../connectors/kafka/to-kafka.ts');
      const node = stream.toKafka(output.topic, {
        brokers: output.brokers,
        ...(output.key === undefined ? {} : { key: output.key }),
        ...(output.clientId === undefined ? {} : { clientId: output.clientId }),
      });
      return { node, close: () => node.close() };
    }
    case 'mqtt': {
      await import('../connectors/mqtt/to-mqtt.ts');
      return {
        node: stream.toMqtt(output.url, output.topic, {
          ...(output.qos === undefined ? {} : { qos: output.qos }),
          ...(output.retain === undefined ? {} : { retain: output.retain }),
          ...(output.clientId === undefined ? {} : { clientId: output.clientId }),
        }),
      };
    }
    case 'postgres': {
      await import('../connectors/postgres/to-postgres.ts');
      const node = stream.toPostgres(output.url, {
        table: output.table,
        ...(output.mode === undefined ? {} : { mode: output.mode }),
        ...(output.key === undefined ? {} : { key: output.key }),
        ...(output.createTable === undefined ? {} : { createTable: output.createTable }),
        ...(output.batchSize === undefined ? {} : { batchSize: output.batchSize }),
        ...(output.flushInterval === undefined ? {} : { flushInterval: output.flushInterval }),
      });
      return { node, close: () => node.close() };
    }
    case 'redis': {
      await import('../connectors/redis/to-redis-stream.ts');
      const node = stream.toRedisStream(output.url, {
        stream: output.stream,
        ...(output.maxLen === undefined ? {} : { maxLen: output.maxLen }),
        ...(output.batchSize === undefined ? {} : { batchSize: output.batchSize }),
      });
      return { node, close: () => node.close() };
    }
    case 'dashboard': {
      const factory = registered.get('dashboard');
      return factory === undefined ? null : await factory(stream, output, context);
    }
  }
}

// `key=value` pairs for a record, the value itself otherwise: a line a person reads in a terminal.
function textLine(x: unknown): string {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return typeof x === 'string' ? x : JSON.stringify(x);
  return Object.entries(x as Record<string, unknown>)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}
