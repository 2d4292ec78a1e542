import { isKafkaRecord } from '../connectors/kafka/decoded-record.ts';
import type { KafkaRecord } from '../connectors/kafka/record.ts';
import { KafkaSinkNode } from '../connectors/kafka/to-kafka.ts';
import { Stream } from '../core/stream.ts';
import { badArgument } from '../errors.ts';
import { applicationOfStream } from './application.ts';

/** How `groupBy` names its repartition topic. */
export interface GroupByOptions {
  /**
   * Names the operation in the repartition topic `repartition__<groupId>--<input topics>--<name>` (letters, digits,
   * `.`, `_`, `-`). Default: the field name when the key is one; required when the key is a function.
   */
  name?: string;
}

const NAME = /^[A-Za-z0-9._-]+$/;

/** The new key of an element: a field of the record's value (or of the element), or a function of the element. */
function keyFunction<T>(key: string | ((x: T) => unknown)): (x: T) => unknown {
  if (typeof key === 'function') return key;
  return (x: T) => {
    const holder = isKafkaRecord(x) ? (x as KafkaRecord).value : x;
    return holder !== null && typeof holder === 'object' ? (holder as Record<string, unknown>)[key] : undefined;
  };
}

declare module '../core/stream.ts' {
  interface Stream<T> {
    /**
     * Re-keys a stream of an application (Quix Streams' `group_by`): every element is written to a repartition topic
     * keyed by the new key, and the stream goes on from that topic, so the records of one key meet in one partition
     * whichever instance reads it, and windows and state after it are per new key across instances. The topic is
     * `repartition__<groupId>--<input topics>--<name>`, created at `run` with the input's partition count; keys and
     * values are JSON, the event time and headers of records are kept. Outputs and offsets commit as for `toTopic`
     * (in the transaction, exactly-once).
     *
     * `key` is a field of the record's value (of the element, after a `map`) or a function of the element.
     * @example
     * app.stream(purchases)
     *   .groupBy('customer')
     *   .tumblingWindow('1h', { value: (r) => r.value.amount })
     *   .agg({ total: sum() })
     *   .final()
     *   .toTopic(totals);
     */
    groupBy<K = unknown>(
      key: string | ((x: T) => K),
      options?: GroupByOptions,
    ): Stream<KafkaRecord<K, T extends KafkaRecord<any, infer V> ? V : T>>;
  }
}

Stream.register(
  'groupBy',
  function groupBy(this: Stream<any>, key: string | ((x: any) => unknown), options: GroupByOptions = {}) {
    if (typeof key !== 'function' && (typeof key !== 'string' || key === '')) {
      badArgument('groupBy', 'key', key, 'a field name or a function of the element');
    }
    const name = options?.name ?? (typeof key === 'string' ? key : undefined);
    if (name === undefined)
      badArgument('groupBy', 'name', name, 'a name for the operation (required when the key is a function)');
    if (typeof name !== 'string' || !NAME.test(name)) {
      badArgument('groupBy', 'name', name, 'letters, digits, ".", "_" and "-" (it names the repartition topic)');
    }
    const app = applicationOfStream(this, 'groupBy');
    const inputs = app.inputsAbove(this);
    const topic = app.repartitionTopic(inputs, name);
    const clock = app.clock;
    const sink = new KafkaSinkNode(
      this,
      topic.name,
      {
        ...app.config,
        producer: app.producer,
        key: keyFunction(key),
        keySerializer: topic.keySerde as any,
        valueSerializer: topic.valueSerde as any,
        // Event time travels with the record: windows after the groupBy see the time the input had.
        timestamp: (x: unknown) => (isKafkaRecord(x) ? (x as KafkaRecord).timestamp : clock.now()),
      },
      app.sinkHooks(topic),
    );
    app.addSink(sink);
    return app.stream(topic);
  },
);
