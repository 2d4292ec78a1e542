import type { Socket } from 'node:net';

/** What a frame reader hands its frames to. @internal */
export interface FrameTarget {
  /** One whole frame's payload, its number on the connection; a promise pushes back (the socket is not read). */
  frame(bytes: Buffer, n: number): void | Promise<void>;
  /** A frame refused: longer than the cap (skipped, the stream stays in step), or cut by the end of the connection. */
  refuse(reason: 'too-large' | 'truncated', message: string, sample: Buffer): void;
}

const EMPTY: Buffer = Buffer.alloc(0);

/**
 * Reads length-prefixed frames from a connection: each a 4-byte big-endian unsigned length, then that many bytes.
 * The socket is read (async iteration) only when the previous frame's delivery settled: back pressure. A frame
 * longer than `maxFrameBytes` is refused and its bytes skipped as they arrive, never held; a frame still
 * incomplete when the peer goes away is refused as truncated. Resolves when the connection ends.
 *
 * @example await readFrames(socket, 1 << 20, { frame: (b, n) => ..., refuse: (reason, message) => ... });
 * @internal
 */
export async function readFrames(socket: Socket, maxFrameBytes: number, target: FrameTarget): Promise<void> {
  // The bytes received and not yet framed, as chunks (joined only once a whole frame is there: no quadratic copy).
  const parts: Buffer[] = [];
  let held = 0;
  let skip = 0;
  let n = 0;
  for await (const chunk of socket as AsyncIterable<Buffer>) {
    let data = chunk;
    if (skip > 0) {
      const k = Math.min(skip, data.length);
      skip -= k;
      data = data.subarray(k);
      if (data.length === 0) continue;
    }
    parts.push(data);
    held += data.length;
    let buf: Buffer = EMPTY;
    let at = 0;
    for (;;) {
      if (held - at < 4) break;
      if (buf.length < at + 4) buf = join(parts, held);
      const length = buf.readUInt32BE(at);
      if (length > maxFrameBytes) {
        n++;
        target.refuse(
          'too-large',
          `frame ${n} of ${length} bytes is longer than maxFrameBytes ${maxFrameBytes}`,
          buf.subarray(at + 4, at + 4 + 256),
        );
        const available = held - at - 4;
        if (available >= length) {
          at += 4 + length;
          continue;
        }
        skip = length - available;
        at = held;
        break;
      }
      if (held - at - 4 < length) break;
      if (buf.length < at + 4 + length) buf = join(parts, held);
      n++;
      const frame = buf.subarray(at + 4, at + 4 + length);
      at += 4 + length;
      const r = target.frame(frame, n);
      if (r !== undefined) await r;
    }
    if (at > 0) {
      // A copy of the rest: the chunk's memory is not kept alive by a few bytes.
      const rest: Buffer = at >= held ? EMPTY : Buffer.from(join(parts, held).subarray(at));
      parts.length = 0;
      held = rest.length;
      if (held > 0) parts.push(rest);
    }
  }
  if (held > 0 || skip > 0) {
    target.refuse(
      'truncated',
      `frame ${n + 1} was cut by the end of the connection`,
      join(parts, held).subarray(0, 256),
    );
  }
}

/** The chunks as one buffer (kept as the only chunk). */
function join(parts: Buffer[], held: number): Buffer {
  if (parts.length === 1) return parts[0]!;
  const one = Buffer.concat(parts, held);
  parts.length = 0;
  parts.push(one);
  return one;
}
