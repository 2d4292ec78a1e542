import type { Duplex } from 'node:stream';
import type { TwinstreamError } from '../../errors.ts';
import type { LocalPipe } from '../local-pipe.ts';
import { refuse } from './refuse.ts';
import { decodeNumber, encodeData, encodeNumber, FRAME, HEADER_BYTES } from './wire.ts';

/**
 * Sends a pipe's rows to a remote reader and consumes them here only as the reader reports consuming them. A new
 * connection starts with everything still unconsumed, so a reader that died gets exactly that again.
 */
export function serveReader(socket: Duplex, pipe: LocalPipe, maxFrameBytes: number): (f: Uint8Array) => void {
  let sent = 0;
  let consumed = 0;
  let breakSentAt = -1;
  let stop = false;
  socket.on('close', () => (stop = true));
  const rowsPerFrame = Math.max(1, Math.floor((maxFrameBytes - HEADER_BYTES - 8) / pipe.layout.rowBytes));
  const send = (bytes: Uint8Array): Promise<void> | undefined =>
    socket.write(bytes) ? undefined : new Promise((r) => socket.once('drain', r));

  let closeSent = false;
  const loop = async () => {
    // The rows a previous connection was shown are not news to the pipe: show them again first.
    pipe.rereadLast();
    for (let first = true; !stop; first = false) {
      if (!first) await pipe.waitForNews();
      if (stop) return;
      let b: ReturnType<LocalPipe['readNowait']>;
      try {
        b = pipe.readNowait();
      } catch (e) {
        if ((e as TwinstreamError).code !== 'TS_PIPE_EMPTY') throw e;
        if (!closeSent) socket.write(encodeNumber(FRAME.close, 0));
        return;
      }
      const n = b.timestamps.length;
      const w = pipe.layout.width;
      for (let from = sent; from < n; from += rowsPerFrame) {
        const to = Math.min(n, from + rowsPerFrame);
        const frame = encodeData(pipe.layout, 0, {
          timestamps: b.timestamps.subarray(from, to),
          data: b.data.subarray(from * w, to * w),
        });
        sent = to;
        const wait = send(frame);
        if (wait !== undefined) await wait;
        if (stop) return;
      }
      if (pipe.endOfInterval && consumed + n !== breakSentAt) {
        breakSentAt = consumed + n;
        const wait = send(encodeNumber(FRAME.interval, 0));
        if (wait !== undefined) await wait;
      }
      // The reader learns of the end once it has every row, not once it consumed them: it may keep a tail. The
      // connection stays open for its last consumption reports.
      if (pipe.endOfStream && !closeSent && sent === n) {
        closeSent = true;
        socket.write(encodeNumber(FRAME.close, 0));
      }
    }
  };
  loop().catch((e) => refuse(socket, e));

  return (f) => {
    if (f[4] !== FRAME.consumed) {
      refuse(socket, new Error(`a reader may only send consumed frames, not kind ${f[4]}`));
      return;
    }
    // The reader names the last timestamp it consumed: a report repeated after a reconnection changes nothing.
    const k = pipe.consumeThrough(decodeNumber(f));
    sent = Math.max(0, sent - k);
    consumed += k;
  };
}
