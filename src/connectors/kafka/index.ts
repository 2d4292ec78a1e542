// Kafka sources, sinks and clients. Re-exports only, by name. @platformatic/kafka is imported lazily, on first use.

// The entry points of the layers this one builds on: their operators are on Stream whenever this
// layer's are (its nodes use them, and its declarations promise them).
import '../../core/index.ts';

export type { TopicSpec } from './admin.ts';
export { KafkaAdmin } from './admin.ts';
export type { AvroOptions, AvroSerde } from './avro.ts';
export { avro } from './avro.ts';
export type { KafkaConnection, KafkaSasl } from './connection.ts';
export type { DeadLetter } from './dead-letter.ts';
export { DEAD_LETTER_HEADERS, deadLetterMessage, deadLetterOf } from './dead-letter.ts';
export { murmur2Partitioner } from './fast-produce.ts';

import './from-kafka.ts';

export type { KafkaBatchOptions } from './from-kafka.ts';
export type {
  KafkaPort,
  PortAdmin,
  PortConsumer,
  PortMessages,
  PortProducer,
  PortTransaction,
} from './kafka-port.ts';
export type { KafkaSourceConfig } from './kafka-source.ts';
export { KafkaSource } from './kafka-source.ts';
export type { MemoryMessage, MemoryRecord } from './memory-kafka.ts';
export { MemoryKafka } from './memory-kafka.ts';
export type { OffsetStore } from './offset-store.ts';
export type { KafkaPartitioner, KafkaProducerConfig, KafkaTransaction, OutgoingMessage } from './producer.ts';
export { KafkaProducer } from './producer.ts';
export type { KafkaMetadata, KafkaRecord } from './record.ts';
export { kafkaMurmur2 } from './record-batch.ts';
export type { SchemaRegistryOptions } from './schema-registry.ts';
export { SchemaRegistry, UnknownSchemaId } from './schema-registry.ts';
export type { JsonSchema, Serde, SerdeSpec } from './serializers.ts';
export { bytesSerde, doubleSerde, intSerde, json, jsonSerde, stringSerde, toSerde } from './serializers.ts';
export type { ToKafkaConfig } from './to-kafka.ts';
export { KafkaSinkNode } from './to-kafka.ts';
