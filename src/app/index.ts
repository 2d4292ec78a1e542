// Kafka applications (Quix's Application, in TypeScript). Re-exports only.
export * from './app-source.ts';
export * from './app-state.ts';
export * from './application.ts';
export * from './changelog.ts';
export * from './to-topic.ts';
export * from './topic.ts';
