// The CLI in a child process serving a dashboard, started as a user starts it: ready once it prints the address.
import { type SpawnOptions, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');

/** What a started CLI serves: the dashboard's address, its exit code once it ends, what it printed so far. */
export interface DashboardChild {
  url: string;
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

/** Runs `twinstream <args>` and resolves once it prints `dashboard: <url>`; rejects if it exits before. */
export async function serveDashboard(args: string[], options: SpawnOptions = {}): Promise<DashboardChild> {
  const child = spawn(process.execPath, [MAIN, ...args], options);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c) => {
      stdout += c;
      const m = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    exited.then(() => reject(new Error(`exited before serving: ${stdout}${stderr}`)));
  });
  return { url, exited, stdout: () => stdout, stderr: () => stderr };
}
