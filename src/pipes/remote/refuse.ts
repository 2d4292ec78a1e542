import type { Duplex } from 'node:stream';
import type { TwinstreamError } from '../../errors.ts';
import { encodeJson, FRAME } from './wire.ts';

/** Tells a remote peer why it is refused (an error frame with the code and message), then disconnects it. */
export function refuse(socket: Duplex, e: unknown): void {
  const err = e as TwinstreamError;
  if (!socket.destroyed) {
    // Close once the error frame is flushed (a TCP socket or a WebSocket stream alike).
    socket.end(encodeJson(FRAME.error, { code: err.code ?? 'TS_PIPE_FRAME', message: err.message }), () =>
      socket.destroy(),
    );
  }
}
