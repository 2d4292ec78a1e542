import type { Socket } from 'node:net';

/** What a line reader hands its lines to. @internal */
export interface LineTarget {
  /** One complete line (without its `\n` or `\r\n`), its number on the connection; a promise pushes back. */
  line(bytes: Buffer, n: number): void | Promise<void>;
  /** A line refused before decoding: too long, or cut by the end of the connection. */
  refuse(reason: 'too-large' | 'truncated', message: string, sample: Buffer): void;
  failed(error: unknown): void;
}

/**
 * Splits one connection's bytes into lines, in order, with back pressure (the socket is paused while a line's
 * delivery is pending) and a cap: a line longer than `maxLineBytes` is refused and skipped up to its end, never
 * held whole. Bytes left without a newline when the peer goes away are a truncated line, refused.
 *
 * @example readLines(socket, 65536, { line: (b, n) => ..., refuse: ..., failed: ... });
 * @internal
 */
export function readLines(socket: Socket, maxLineBytes: number, target: LineTarget): void {
  let pending: Buffer | null = null;
  let skipping = false;
  let n = 0;
  let queue: Buffer[] = [];
  let blocked = false;

  const take = (chunk: Buffer): void => {
    let buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
    pending = null;
    let start = 0;
    for (;;) {
      const end = buf.indexOf(10, start);
      if (end < 0) break;
      n++;
      if (skipping) {
        skipping = false;
        start = end + 1;
        continue;
      }
      if (end - start > maxLineBytes) {
        target.refuse(
          'too-large',
          `line ${n} is longer than maxLineBytes ${maxLineBytes}`,
          buf.subarray(start, start + 256),
        );
        start = end + 1;
        continue;
      }
      const line = buf.subarray(start, end > start && buf[end - 1] === 13 ? end - 1 : end);
      start = end + 1;
      let r: void | Promise<void>;
      try {
        r = target.line(line, n);
      } catch (e) {
        target.failed(e);
        return;
      }
      if (r !== undefined) {
        const rest = buf.subarray(start);
        blocked = true;
        socket.pause();
        r.then(
          () => {
            blocked = false;
            const q = queue;
            queue = [];
            take(rest);
            for (const c of q) {
              if (blocked) queue.push(c);
              else take(c);
            }
            if (!blocked) socket.resume();
          },
          (e) => target.failed(e),
        );
        return;
      }
    }
    buf = buf.subarray(start);
    if (buf.length > maxLineBytes) {
      if (!skipping)
        target.refuse('too-large', `line ${n + 1} is longer than maxLineBytes ${maxLineBytes}`, buf.subarray(0, 256));
      skipping = true;
      return;
    }
    if (buf.length > 0 && !skipping) pending = Buffer.from(buf); // a copy: the chunk's memory is not kept alive
  };

  socket.on('data', (chunk: Buffer) => {
    if (blocked) queue.push(chunk);
    else take(chunk);
  });
  socket.on('close', () => {
    if (pending !== null && pending.length > 0)
      target.refuse('truncated', `line ${n + 1} was cut by the end of the connection`, pending.subarray(0, 256));
    pending = null;
  });
}
