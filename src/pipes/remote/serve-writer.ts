import type { Duplex } from 'node:stream';
import type { LocalPipe } from '../local-pipe.ts';
import { refuse } from './refuse.ts';
import { decodeData, decodeNumber, encodeNumber, FRAME } from './wire.ts';

/** What the server remembers of a stream's writer across its reconnections. */
export interface WriterState {
  /** Chosen by the writer at start: a new session starts its sequence numbers over. */
  session: string;
  /** The last sequence number whose frame is in the pipe. */
  acked: number;
  /** Frames are applied one after another, across connections of the same writer. */
  chain: Promise<void>;
}

/**
 * Applies a remote writer's frames to the pipe in order, skipping those it already holds (a writer resends what was
 * not acknowledged when it reconnects), and acknowledges each once the pipe took it: a pipe behind its writeLimit
 * delays the acknowledgement, which holds the writer back.
 */
export function serveWriter(socket: Duplex, pipe: LocalPipe, state: WriterState): (f: Uint8Array) => void {
  const apply = (seq: number, step: () => void | Promise<void>) => {
    state.chain = state.chain
      .then(async () => {
        if (seq <= state.acked) return;
        await step();
        state.acked = seq;
      })
      .then(
        () => {
          if (!socket.destroyed) socket.write(encodeNumber(FRAME.ack, seq));
        },
        (e) => refuse(socket, e),
      );
  };
  return (f) => {
    switch (f[4]) {
      case FRAME.data: {
        const { seq, block } = decodeData(pipe.layout, f);
        apply(seq, () => pipe.write(block));
        return;
      }
      case FRAME.interval:
        apply(decodeNumber(f), () => pipe.closeInterval());
        return;
      case FRAME.close:
        apply(decodeNumber(f), () => pipe.close());
        return;
      default:
        refuse(socket, new Error(`a writer may not send frames of kind ${f[4]}`));
    }
  };
}
