// Kafka applications (Quix Streams' Application, in TypeScript). Re-exports only, by name.

// The entry points of the layers this one builds on: their operators are on Stream whenever this
// layer's are (its nodes use them, and its declarations promise them).
import '../core/index.ts';
import '../window/index.ts';
import '../connectors/kafka/index.ts';

export type { AppStateNode, AppWindow } from './app-state.ts';
export { AppState } from './app-state.ts';
export type { ApplicationConfig, ApplicationOptions, AppRunOptions, Produced } from './application.ts';
export { Application } from './application.ts';

import './concat.ts';
import './group-by.ts';
import './join-lookup.ts';
import './to-topic.ts';

export type { GroupByOptions } from './group-by.ts';
export type { JoinLookupOptions } from './join-lookup.ts';

export type { ToTopicOptions } from './to-topic.ts';
export type { TopicConfig } from './topic.ts';
export { Topic } from './topic.ts';
