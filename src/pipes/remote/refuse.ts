import type { Socket } from 'node:net';
import type { TwinstreamError } from '../../errors.ts';
import { encodeJson, FRAME } from './wire.ts';

/** Tells a remote peer why it is refused (an error frame with the code and message), then disconnects it. */
export function refuse(socket: Socket, e: unknown): void {
  const err = e as TwinstreamError;
  if (!socket.destroyed) {
    socket.end(encodeJson(FRAME.error, { code: err.code ?? 'TS_PIPE_FRAME', message: err.message }));
    socket.destroySoon();
  }
}
