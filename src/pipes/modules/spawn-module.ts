import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { TwinstreamError } from '../../errors.ts';
import type { LocalPipe } from '../local-pipe.ts';
import { PipeServer } from '../remote/pipe-server.ts';

/** The pipes and arguments of a module run in a child process. */
export interface SpawnModuleOptions {
  /** Pipes this process writes and the module reads, by the module's input names. */
  readonly inputs?: Readonly<Record<string, LocalPipe>>;
  /** Pipes the module writes and this process reads, by the module's output names. */
  readonly outputs?: Readonly<Record<string, LocalPipe>>;
  readonly args?: Readonly<Record<string, string>>;
  /** Aborting it sends SIGTERM to the child (the module's stop signal). */
  readonly signal?: AbortSignal;
}

/**
 * Runs a module file (its default export: a module or a module class) in a child process, its pipes wired to these
 * local pipes over loopback TCP (a `PipeServer` on 127.0.0.1 with a random token). The module's code is the same as
 * in-process. `done` resolves when the child exits 0 and rejects with its stderr otherwise.
 *
 * @example
 * import { LocalPipe, spawnModule } from 'twinstream/pipes';
 * const input = new LocalPipe({ layout: 'float64_1' });
 * const out = new LocalPipe({ layout: 'float64_1' });
 * const child = await spawnModule('./my-filter.ts', { inputs: { in: input }, outputs: { out } });
 * await input.write([[1, 2]]);
 * await input.close();
 * await child.done;
 */
export async function spawnModule(
  file: string,
  options: SpawnModuleOptions = {},
): Promise<{ done: Promise<void>; pid: number | undefined }> {
  const inputs = options.inputs ?? {};
  const outputs = options.outputs ?? {};
  const token = randomBytes(18).toString('base64url');
  const server = new PipeServer({ pipes: { ...inputs, ...outputs }, token });
  const { port } = await server.start();
  const argv = [file, '--port', String(port)];
  for (const [name, p] of Object.entries(inputs)) argv.push('--input', `${name}:${p.layout.name}`);
  for (const [name, p] of Object.entries(outputs)) argv.push('--output', `${name}:${p.layout.name}`);
  for (const [k, v] of Object.entries(options.args ?? {})) argv.push('--arg', `${k}=${v}`);
  // From source, module-main is the .ts next to this file. Built, it is dist/pipes/modules/module-main.js and this
  // code is bundled into dist/pipes/ or dist/chunks/: one folder below dist/ either way (scripts/build.ts).
  const main = fileURLToPath(
    new URL(import.meta.url.endsWith('.ts') ? './module-main.ts' : '../pipes/modules/module-main.js', import.meta.url),
  );
  const child = spawn(process.execPath, [main, ...argv], {
    env: { ...process.env, TWINSTREAM_PIPE_TOKEN: token },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  options.signal?.addEventListener('abort', () => child.kill('SIGTERM'), { once: true });
  let stderr = '';
  child.stderr.on('data', (c) => {
    if (process.env.DBG) process.stderr.write(c);
    stderr += String(c).slice(0, 10_000);
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once('exit', async (code, signal) => {
      await server.close();
      if (code === 0) resolve();
      else {
        reject(
          new TwinstreamError('TS_MODULE_FAILED', `module ${file} exited with ${code ?? signal}: ${stderr.trim()}`, {
            context: { file, code, signal },
          }),
        );
      }
    });
  });
  return { done, pid: child.pid };
}
