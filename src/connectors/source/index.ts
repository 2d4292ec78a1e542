// The contract every connector follows (docs/connectors.md, "Writing a connector"): acknowledgement when the graph
// is done with a unit of input, malformed input reported and counted. Re-exports only, by name.

import '../../core/index.ts';

export { Acknowledgement } from './acknowledgement.ts';
export type { MalformedInput } from './connector-source.ts';
export { ConnectorSource } from './connector-source.ts';
export type { PayloadFormat } from './decode-payload.ts';
export type { SinkHooks, SourceHooks } from './owner-hooks.ts';
