// HTTP: a server source taking POSTed JSON or NDJSON, and a sink posting NDJSON batches (node:http, fetch).
// Re-exports only, by name.

import '../../core/index.ts';
import './from-http-server.ts';

export type { HttpServerOptions } from './http-server-source.ts';
export { HttpServerSource } from './http-server-source.ts';
export type { ToHttpOptions } from './to-http.ts';
export { HttpSinkNode } from './to-http.ts';
