import { KafkaSource, type KafkaSourceConfig } from '../connectors/kafka/kafka-source.ts';
import type { KafkaRecord } from '../connectors/kafka/record.ts';
import { type RawMessage, RecordDecoder } from '../connectors/kafka/record-decoder.ts';
import type { SourceHooks } from '../connectors/source/owner-hooks.ts';
import type { StreamOptions } from '../core/stream.ts';
import type { Topic } from './topic.ts';

/**
 * The consumer of an application: one Kafka source over all of its input topics, each topic read with its own
 * serializers and timestamp extractor.
 * @internal
 */
export class AppSource extends KafkaSource<unknown, unknown> {
  override kind = 'application';
  private readonly decoders = new Map<string, RecordDecoder>();

  constructor(
    topics: readonly Topic<any, any>[],
    config: KafkaSourceConfig,
    options: StreamOptions = {},
    hooks: SourceHooks = {},
  ) {
    super(
      topics.map((t) => t.name),
      config,
      null,
      options,
      hooks,
    );
    for (const t of topics) {
      this.decoders.set(
        t.name,
        new RecordDecoder(
          {
            key: t.keySerde,
            value: t.valueSerde,
            ...(t.config.timestamp ? { timestamp: t.config.timestamp } : {}),
            ...(config.maxMessageBytes === undefined ? {} : { maxMessageBytes: config.maxMessageBytes }),
          },
          `app.topic("${t.name}")`,
        ),
      );
    }
  }

  // The decoder of the last message's topic: consecutive messages mostly share it (no map lookup per message).
  private lastTopic: string | null = null;
  private lastDecoder: RecordDecoder = this.decoder;

  private decoderOf(topic: string): RecordDecoder {
    if (topic !== this.lastTopic) {
      this.lastDecoder = this.decoders.get(topic) ?? this.decoder;
      this.lastTopic = topic;
    }
    return this.lastDecoder;
  }

  protected override prepareDecode(m: RawMessage): Promise<void> | null {
    return this.decoderOf(m.topic).prepare(m);
  }

  protected override decode(m: RawMessage): KafkaRecord<unknown, unknown> {
    return this.decoderOf(m.topic).decode(m);
  }
}
