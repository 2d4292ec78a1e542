import { KafkaSinkNode } from '../connectors/kafka/to-kafka.ts';
import { Stream } from '../core/stream.ts';
import { applicationOf } from './application.ts';
import type { Topic } from './topic.ts';

/** What `toTopic` may set per element; by default the key is the one the record arrived with (as in Quix). */
export interface ToTopicOptions<T> {
  /** The message key: a function of the element or a field name. */
  key?: ((x: T) => unknown) | string;
  /** Headers to add. */
  headers?: (x: T) => Record<string, string | Buffer> | undefined;
  /** The message timestamp (ms). Default: now. */
  timestamp?: (x: T) => number;
}

declare module '../core/stream.ts' {
  interface Stream<T> {
    /**
     * Produces every element to a topic of the application, with the topic's serializers, through the
     * application's producer (inside its transactions when exactly-once). Returns the sink node.
     * @example app.stream(input).map((r) => ({ celsius: r.value.f - 32 / 1.8 })).toTopic(output);
     */
    toTopic(topic: Topic<any, any>, options?: ToTopicOptions<T>): KafkaSinkNode<T>;
  }
}

Stream.register(
  'toTopic',
  function toTopic(this: Stream<any>, topic: Topic<any, any>, options: ToTopicOptions<any> = {}) {
    const app = applicationOf(topic);
    const sink = new KafkaSinkNode(
      this,
      topic.name,
      {
        ...app.config,
        ...options,
        producer: app.producer,
        keySerializer: topic.keySerde as any,
        valueSerializer: topic.valueSerde as any,
      },
      app.sinkHooks(topic),
    );
    app.addSink(sink);
    return sink;
  },
);
