// TCP: a server source of lines or NDJSON (node:net). Re-exports only, by name.

import '../../core/index.ts';
import './from-tcp.ts';

export type { FromTcpOptions } from './tcp-source.ts';
export { TcpSource } from './tcp-source.ts';
