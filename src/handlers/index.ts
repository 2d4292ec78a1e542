// Time-indexed access for models: data stream handlers by type name, and the co-simulation input set.
export { CsvHandler, type CsvHandlerConfig } from './csv-handler.ts';
export {
  DataStreamHandler,
  type HandlerClass,
  type HandlerSpec,
  type HandlerVariable,
  type VariableOptions,
} from './data-stream-handler.ts';
export { HandlerSet } from './handler-set.ts';
export { type HandlerSample, HandlerSource } from './handler-source.ts';
export { KafkaHandler, type KafkaHandlerConfig } from './kafka-handler.ts';
export { LiveHandler, type ParsedMessage } from './live-handler.ts';
export { LocalHandler, type LocalHandlerConfig } from './local-handler.ts';
export { MqttHandler, type MqttHandlerConfig } from './mqtt-handler.ts';
export { ParquetHandler, type ParquetHandlerConfig } from './parquet-handler.ts';
