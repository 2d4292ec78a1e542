import type { IncomingMessage } from 'node:http';

/**
 * Reads a request's body up to `limit` bytes. Returns the body, `'too-large'` as soon as it passes the limit
 * (the rest is not read: the connection is closed after the answer), or `'aborted'` when the client went away
 * before the end.
 *
 * @example const body = await readBody(req, 1 << 20);
 * @internal
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve('too-large');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (r: Buffer | 'too-large' | 'aborted') => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        done('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on('error', () => done('aborted'));
    req.on('close', () => {
      if (!req.complete) done('aborted');
    });
  });
}
