import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Source } from '../core/source.ts';
import type { Stream } from '../core/stream.ts';
import { TwinstreamError } from '../errors.ts';
import type { PipelineInput } from './pipeline-schema.ts';
import { SimModelSource } from './sim-model-source.ts';

/** One input of a built pipeline. */
export interface BuiltInput {
  readonly name: string;
  readonly type: PipelineInput['type'];
  readonly source: Source<any>;
  /** The input's elements as the steps see them (a message's value, a parsed line), after `limit`. */
  readonly stream: Stream<any>;
  /** Nodes of the input whose errors are bad input (a line that is not JSON), for a dead-letter step. */
  readonly parsers: readonly Stream<any>[];
  /** Where a server input listens, once started. */
  listening(): Promise<AddressInfo> | null;
  /** Elements that passed the input so far. */
  count(): number;
  /** True once `limit` elements have passed (the source was then stopped). */
  limitReached(): boolean;
}

/**
 * Creates the source of one input of a pipeline file, loading the connector it needs; paths are relative to
 * `dir`. Nothing starts here.
 * @internal
 */
export async function createInput(input: PipelineInput, name: string, dir: string): Promise<BuiltInput> {
  const { Stream } = await import('../core/stream.ts');
  const at = (p: string) => resolve(dir, p);
  let source: Source<any>;
  let stream: Stream<any>;
  const parsers: Stream<any>[] = [];
  switch (input.type) {
    case 'csv': {
      await import('../connectors/files/from-csv.ts');
      source = Stream.fromCsv(at(input.path), input.delimiter === undefined ? {} : { delimiter: input.delimiter });
      stream = source;
      break;
    }
    case 'jsonl': {
      await import('../connectors/files/from-jsonl.ts');
      source = Stream.fromJsonl(at(input.path));
      stream = source;
      break;
    }
    case 'parquet': {
      await import('../connectors/parquet/from-parquet.ts');
      source = Stream.fromParquet(at(input.path), input.columns === undefined ? {} : { columns: input.columns });
      stream = source;
      break;
    }
    case 'tail': {
      await import('../connectors/files/from-text-file.ts');
      await import('../core/operators/map.ts');
      const path = at(input.path);
      source = Stream.fromTextFile(path, {
        follow: input.follow ?? true,
        ...(input.fromEnd === undefined ? {} : { fromEnd: input.fromEnd }),
        ...(input.pollInterval === undefined ? {} : { pollInterval: input.pollInterval }),
      });
      if (input.format === 'json') {
        stream = source.map((line: string) => parseJsonLine(line, path)).named(`${name} (json)`);
        parsers.push(stream);
      } else stream = source;
      break;
    }
    case 'http': {
      await import('../connectors/http/from-http-server.ts');
      source = Stream.fromHttpServer({
        port: input.port,
        ...(input.host === undefined ? {} : { host: input.host }),
        ...(input.path === undefined ? {} : { path: input.path }),
      });
      stream = source;
      break;
    }
    case 'websocket': {
      await import('../connectors/websocket/from-websocket.ts');
      const value = input.value ?? 'json';
      source =
        input.url !== undefined
          ? Stream.fromWebSocket(input.url, { value })
          : Stream.fromWebSocketServer({
              port: input.port!,
              value,
              ...(input.host === undefined ? {} : { host: input.host }),
              ...(input.path === undefined ? {} : { path: input.path }),
            });
      stream = source;
      break;
    }
    case 'tcp': {
      await import('../connectors/tcp/from-tcp.ts');
      source = Stream.fromTcp({
        port: input.port,
        framing: input.framing ?? 'ndjson',
        ...(input.host === undefined ? {} : { host: input.host }),
      });
      stream = source;
      break;
    }
    case 'mqtt': {
      await import('../connectors/mqtt/from-mqtt.ts');
      await import('../core/operators/map.ts');
      source = Stream.fromMqtt(input.url, input.topic, {
        value: input.value ?? 'json',
        ...(input.qos === undefined ? {} : { qos: input.qos }),
        ...(input.clientId === undefined ? {} : { clientId: input.clientId }),
      });
      stream = source.map((m: { value: unknown }) => m.value).named(`${name} (value)`);
      break;
    }
    case 'kafka': {
      await import('../connectors/kafka/from-kafka.ts');
      await import('../core/operators/map.ts');
      source = Stream.fromKafka(input.topic, {
        brokers: input.brokers,
        groupId: input.groupId,
        value: input.value ?? 'json',
        ...(input.autoOffsetReset === undefined ? {} : { autoOffsetReset: input.autoOffsetReset }),
        ...(input.clientId === undefined ? {} : { clientId: input.clientId }),
      });
      stream = source.map((r: { value: unknown }) => r.value).named(`${name} (value)`);
      break;
    }
    case 'postgres': {
      await import('../connectors/postgres/from-postgres.ts');
      source = Stream.fromPostgres(input.url, {
        query: input.query,
        ...(input.cursor === undefined ? {} : { cursor: input.cursor }),
        ...(input.pollInterval === undefined ? {} : { pollInterval: input.pollInterval }),
        ...(input.batchSize === undefined ? {} : { batchSize: input.batchSize }),
      });
      stream = source;
      break;
    }
    case 'redis': {
      await import('../core/operators/map.ts');
      if (input.stream !== undefined) {
        await import('../connectors/redis/from-redis-stream.ts');
        source = Stream.fromRedisStream(input.url, {
          stream: input.stream,
          group: input.group!,
          ...(input.consumer === undefined ? {} : { consumer: input.consumer }),
          ...(input.start === undefined ? {} : { start: input.start }),
        });
        // An entry's fields, as Redis keeps them: text.
        stream = source.map((e: { fields: Record<string, string> }) => e.fields).named(`${name} (fields)`);
      } else {
        await import('../connectors/redis/from-redis-pubsub.ts');
        source = Stream.fromRedisPubSub(input.url, input.channel!);
        const channel = input.channel!;
        stream =
          input.value === 'string'
            ? source.map((m: { message: string }) => m.message).named(`${name} (message)`)
            : source
                .map((m: { message: string }) => parseJsonLine(m.message, `channel ${channel}`))
                .named(`${name} (json)`);
        if (input.value !== 'string') parsers.push(stream);
      }
      break;
    }
    case 'sim': {
      source = new SimModelSource(at(input.model), {
        ...(input.until === undefined ? {} : { until: input.until }),
        ...(input.seed === undefined ? {} : { seed: input.seed }),
        ...(input.factor === undefined ? {} : { factor: input.factor }),
        ...(input.streams === undefined ? {} : { streams: input.streams }),
      });
      stream = source;
      break;
    }
  }
  source.name = name;
  let passed = 0;
  const limit = input.limit;
  await import('../core/operators/filter.ts');
  // Counts what enters the pipeline, and stops the source once `limit` elements have.
  const counted = stream.filter(() => {
    if (limit !== undefined && passed >= limit) return false;
    if (++passed === limit) source.stop();
    return true;
  });
  counted.name = `${name} (count)`;
  const server = 'listening' in source ? (source as unknown as { listening: Promise<AddressInfo> }) : null;
  return {
    name,
    type: input.type,
    source,
    stream: counted,
    parsers,
    listening: () => (server === null ? null : server.listening),
    count: () => passed,
    limitReached: () => limit !== undefined && passed >= limit,
  };
}

// A followed file's line as JSON; a line that is not is bad input, named by file.
function parseJsonLine(line: string, path: string): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new TwinstreamError('TS_BAD_RECORD', `${path}: a line is not JSON (${(error as Error).message})`, {
      cause: error,
      context: { path, sample: line.slice(0, 256) },
    });
  }
}
