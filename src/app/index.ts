// Kafka applications (Quix Streams' Application, in TypeScript). Re-exports only, by name.

export type { AppWindow } from './app-state.ts';
export { AppState } from './app-state.ts';
export type { ApplicationConfig, AppRunOptions, Produced } from './application.ts';
export { Application } from './application.ts';

import './to-topic.ts';

export type { ToTopicOptions } from './to-topic.ts';
export type { TopicConfig } from './topic.ts';
export { Topic } from './topic.ts';
