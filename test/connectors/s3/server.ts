// A real S3-compatible HTTP server on loopback for tests: s3rver, in process, on a free port, storing under a temp
// directory. A server that cannot start fails the suite with the reason.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface S3TestServer {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

export async function startS3Server(): Promise<S3TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'twinstream-s3rver-'));
  const { default: S3rver } = (await import('s3rver')) as unknown as {
    default: new (o: object) => { run(): Promise<{ address: string; port: number }>; close(): Promise<void> };
  };
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir });
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`the S3 test server (s3rver) could not start on 127.0.0.1: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    // s3rver's built-in account.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
