// Kafka sources, sinks and clients. Re-exports only. @platformatic/kafka is imported lazily, on first use.
export * from './admin.ts';
export * from './avro.ts';
export * from './connection.ts';
export * from './dead-letter.ts';
export * from './fast-produce.ts';
export * from './from-kafka.ts';
export * from './kafka-source.ts';
export * from './message-pump.ts';
export * from './offset-tracker.ts';
export * from './producer.ts';
export * from './record.ts';
export * from './record-batch.ts';
export * from './record-decoder.ts';
export * from './schema-registry.ts';
export * from './serializers.ts';
export * from './to-kafka.ts';
