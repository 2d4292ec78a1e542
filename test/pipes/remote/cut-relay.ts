// A TCP relay between a remote pipe and its server whose connections a test cuts, as a network fault would, and a
// reader that drains a remote input pipe across the cuts.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { RemoteInputPipe } from '../../../src/pipes/index.ts';

/** Relays connections on a free local port to `target`; `cut()` drops every connection open at the time. */
export async function relay(target: number): Promise<{ port: number; cut(): void; server: Server }> {
  const live = new Set<Socket>();
  const server = createServer((a) => {
    const b = connect(target, '127.0.0.1');
    live.add(a).add(b);
    a.pipe(b).pipe(a);
    const end = () => {
      a.destroy();
      b.destroy();
    };
    a.on('error', end).on('close', end);
    b.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    server,
    cut: () => {
      for (const s of live) s.destroy();
    },
  };
}

/**
 * Reads `input` until a read fails (the pipe closed and drained), consuming each block: `seen` fills with the
 * timestamps in the order they came, `done` settles at the end.
 */
export function readAllTimestamps(input: RemoteInputPipe): { seen: number[]; done: Promise<void> } {
  const seen: number[] = [];
  const done = (async () => {
    for (;;) {
      let b: Awaited<ReturnType<typeof input.read>>;
      try {
        b = await input.read();
      } catch {
        return;
      }
      seen.push(...b.timestamps);
      input.consumeAll();
    }
  })();
  return { seen, done };
}
