import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { badArgument } from '../../errors.ts';
import type { InputPipe, OutputPipe } from '../pipe.ts';
import { RemoteInputPipe } from '../remote/remote-input-pipe.ts';
import { RemoteOutputPipe } from '../remote/remote-output-pipe.ts';
import type { PipeModule } from './pipe-module.ts';
import { runModule } from './run-module.ts';

/** Where a module file's pipes are served and what it is given. */
export interface RunModuleFileOptions {
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** The `PipeServer` serving the streams, one per pipe name. */
  readonly port: number;
  readonly token?: string;
  /** Input pipe names and their layouts. */
  readonly inputs?: Readonly<Record<string, string>>;
  readonly outputs?: Readonly<Record<string, string>>;
  readonly args?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/**
 * Loads a module file (its default export: a module, or a module class) and runs it against the streams of a
 * `PipeServer`, each pipe the stream of its name. What `twinstream module run` and `spawnModule`'s child do.
 *
 * @example
 * import { runModuleFile } from 'twinstream/pipes';
 * await runModuleFile('./mean.ts', { port: 7001, inputs: { in: 'float32_3' }, outputs: { out: 'float64_3' } });
 */
export async function runModuleFile(file: string, options: RunModuleFileOptions): Promise<void> {
  const connection = { host: options.host ?? '127.0.0.1', port: options.port, token: options.token };
  const inputs: Record<string, InputPipe> = {};
  for (const [name, layout] of Object.entries(options.inputs ?? {})) {
    const pipe = new RemoteInputPipe({ ...connection, stream: name, layout });
    await pipe.connect();
    inputs[name] = pipe;
  }
  const outputs: Record<string, OutputPipe> = {};
  for (const [name, layout] of Object.entries(options.outputs ?? {})) {
    const pipe = new RemoteOutputPipe({ ...connection, stream: name, layout });
    await pipe.connect();
    outputs[name] = pipe;
  }
  const loaded = (await import(pathToFileURL(resolve(file)).href)).default;
  const module: PipeModule = typeof loaded === 'function' ? new loaded() : loaded;
  try {
    await runModule(module, { inputs, outputs, args: options.args, signal: options.signal });
  } finally {
    for (const p of Object.values(inputs)) await p.close();
  }
}

/** Parses `name:layout` and `name=value` lists of the command line into objects (null prototype). */
export function parsePairs(specs: readonly string[], sep: ':' | '=', what: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const spec of specs) {
    const i = spec.indexOf(sep);
    if (i <= 0)
      badArgument('twinstream module run', `--${what}`, spec, `name${sep}${sep === ':' ? 'layout' : 'value'}`);
    out[spec.slice(0, i)] = spec.slice(i + 1);
  }
  return out;
}
