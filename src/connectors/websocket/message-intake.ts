import type { WebSocket } from 'ws';
import { decodePayload, type PayloadFormat } from '../source/decode-payload.ts';

/** What a WebSocket source hands each connection's messages to. @internal */
export interface IntakeTarget {
  /** Emits one decoded element; a promise while the graph pushes back. */
  accept(value: unknown): void | Promise<void>;
  /** Counts and reports a refused message. */
  refuse(reason: string, message: string, raw: Buffer): void;
  /** The run failed on an element (an error the graph did not route). */
  failed(error: unknown): void;
}

/**
 * Feeds one connection's messages to a source in order, with back pressure: while the graph pushes back the
 * socket is paused, and the few frames ws had already parsed wait in a queue (bounded by what one read of the
 * socket holds). Malformed messages are refused, the connection goes on.
 *
 * @example attachIntake(ws, 'json', target);
 * @internal
 */
export function attachIntake(ws: WebSocket, format: PayloadFormat, target: IntakeTarget): void {
  const queue: Buffer[] = [];
  let blocked = false;
  const take = (data: Buffer): void => {
    const decoded = decodePayload(data, format);
    if (decoded.error !== undefined) {
      target.refuse(decoded.reason, `message: ${decoded.error}`, data);
      return;
    }
    let r: void | Promise<void>;
    try {
      r = target.accept(decoded.value);
    } catch (e) {
      target.failed(e);
      return;
    }
    if (r === undefined) return;
    blocked = true;
    ws.pause();
    r.then(
      () => {
        blocked = false;
        while (queue.length > 0 && !blocked) take(queue.shift()!);
        if (!blocked) ws.resume();
      },
      (e) => target.failed(e),
    );
  };
  ws.on('message', (data) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (blocked) queue.push(bytes);
    else take(bytes);
  });
}
