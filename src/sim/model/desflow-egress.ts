import { type Data, type DesflowReader, NOT_YET, type Path, PYTHON } from './desflow-reader.ts';

/**
 * A blueprint's `egress`: the Console, Parquet, Jsonl and Kafka sinks with their `when` (history, live, labels),
 * `batch_size` and `flush_interval`. desflow's file sinks write the events only, each value's fields unpacked.
 *
 * @internal
 */
export function desflowEgress(rd: DesflowReader, blueprint: Data): Data | undefined {
  const egress = blueprint.egress;
  if (!Array.isArray(egress) || egress.length === 0) return undefined;
  return { sinks: egress.map((e0, i) => sink(rd, rd.obj(e0, ['egress', i]), ['egress', i])) };
}

function sink(rd: DesflowReader, e: Data, path: Path): Data {
  const config = rd.obj(e.config, [...path, 'config']);
  const delivery: Data = {};
  if (e.when !== undefined && e.when !== null) {
    if (e.when !== 'history' && e.when !== 'live' && e.when !== 'labels')
      rd.fail([...path, 'when'], `expected history, live or labels (a !python function ${PYTHON})`);
    delivery.when = e.when;
  }
  if (e.batch_size !== undefined && e.batch_size !== null) delivery.batchSize = e.batch_size;
  if (e.flush_interval !== undefined && e.flush_interval !== null)
    delivery.flushInterval = rd.seconds(e.flush_interval, [...path, 'flush_interval']);
  switch (e.type) {
    case 'Console':
      return { type: 'console', ...delivery };
    case 'Parquet':
    case 'Jsonl': {
      rd.refuse(config, ['path_router'], [...path, 'config'], PYTHON);
      rd.refuse(config, ['filesystem'], [...path, 'config'], `${NOT_YET} (an s3-jsonl or s3-parquet sink does it)`);
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
      rd.refuse(config, ['topic_router', 'topic_serializers', 'default_serializer'], [...path, 'config'], PYTHON);
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
      return rd.fail(
        [...path, 'type'],
        `the ${JSON.stringify(e.type)} connector ${NOT_YET} (Console, Parquet, Jsonl and Kafka are)`,
      );
  }
}
