import { KafkaSource, type KafkaSourceConfig } from '../connectors/kafka/kafka-source.ts';
import type { KafkaRecord } from '../connectors/kafka/record.ts';
import { type RawMessage, RecordDecoder } from '../connectors/kafka/record-decoder.ts';
import type { StreamOptions } from '../core/stream.ts';
import type { Topic } from './topic.ts';

/**
 * The consumer of an application: one Kafka source over all of its input topics, each topic read with its own
 * serializers and timestamp extractor.
 */
export class AppSource extends KafkaSource<unknown, unknown> {
  override kind = 'application';
  private readonly decoders = new Map<string, RecordDecoder>();

  constructor(topics: readonly Topic<any, any>[], config: KafkaSourceConfig, options: StreamOptions = {}) {
    super(
      topics.map((t) => t.name),
      config,
      null,
      options,
    );
    for (const t of topics) {
      this.decoders.set(
        t.name,
        new RecordDecoder(
          {
            key: t.keySerde,
            value: t.valueSerde,
            ...(t.config.timestampExtractor ? { timestamp: t.config.timestampExtractor } : {}),
            ...(config.maxMessageBytes === undefined ? {} : { maxMessageBytes: config.maxMessageBytes }),
          },
          `app.topic("${t.name}")`,
        ),
      );
    }
  }

  protected override prepareDecode(m: RawMessage): Promise<void> | null {
    return (this.decoders.get(m.topic) ?? this.decoder).prepare(m);
  }

  protected override decode(m: RawMessage): KafkaRecord<unknown, unknown> {
    return (this.decoders.get(m.topic) ?? this.decoder).decode(m);
  }
}
