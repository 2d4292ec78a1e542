// WebSocket: a server source, a reconnecting client source and a sink, over `ws` (loaded on first use).
// Re-exports only, by name.

import '../../core/index.ts';
import './from-websocket.ts';
import './to-websocket-broadcast.ts';

export type { ToWebSocketOptions } from './to-websocket.ts';
export { WebSocketSinkNode } from './to-websocket.ts';
export type { WebSocketBroadcastOptions } from './to-websocket-broadcast.ts';
export { WebSocketBroadcastNode } from './to-websocket-broadcast.ts';
export type { WebSocketServerOptions } from './websocket-server-source.ts';
export { WebSocketServerSource } from './websocket-server-source.ts';
export type { FromWebSocketOptions } from './websocket-source.ts';
export { WebSocketSource } from './websocket-source.ts';
