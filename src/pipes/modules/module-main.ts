// The entry of a module's child process:
//   node module-main.js ./my-module.ts --port 7001 --input in:float32_3 --output out:float64_3 [--arg window=8]
// It connects a RemoteInputPipe / RemoteOutputPipe per named pipe to the PipeServer on 127.0.0.1:<port> (stream =
// the pipe's name; token from TWINSTREAM_PIPE_TOKEN), loads the module file's default export (a module, or a class
// of one), runs it, and exits 0 when it returns, 1 with the error on stderr when it throws. SIGTERM asks it to stop.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { InputPipe, OutputPipe } from '../pipe.ts';
import { RemoteInputPipe } from '../remote/remote-input-pipe.ts';
import { RemoteOutputPipe } from '../remote/remote-output-pipe.ts';
import type { PipeModule } from './pipe-module.ts';
import { runModule } from './run-module.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    input: { type: 'string', multiple: true, default: [] },
    output: { type: 'string', multiple: true, default: [] },
    arg: { type: 'string', multiple: true, default: [] },
  },
});

const file = positionals[0];
if (file === undefined || values.port === undefined) {
  process.stderr.write('usage: module-main <module file> --port <port> [--input name:layout] [--output name:layout]\n');
  process.exit(2);
}
const connection = { host: values.host, port: Number(values.port), token: process.env.TWINSTREAM_PIPE_TOKEN };
const split = (spec: string, what: string): [string, string] => {
  const i = spec.indexOf(':');
  if (i <= 0) throw new Error(`--${what} ${spec}: expected name:layout`);
  return [spec.slice(0, i), spec.slice(i + 1)];
};
const args: Record<string, string> = Object.create(null);
for (const a of values.arg) {
  const i = a.indexOf('=');
  if (i <= 0) throw new Error(`--arg ${a}: expected name=value`);
  args[a.slice(0, i)] = a.slice(i + 1);
}

const inputs: Record<string, InputPipe> = {};
for (const spec of values.input) {
  const [name, layout] = split(spec, 'input');
  const pipe = new RemoteInputPipe({ ...connection, stream: name, layout });
  await pipe.connect();
  inputs[name] = pipe;
}
const outputs: Record<string, OutputPipe> = {};
for (const spec of values.output) {
  const [name, layout] = split(spec, 'output');
  const pipe = new RemoteOutputPipe({ ...connection, stream: name, layout });
  await pipe.connect();
  outputs[name] = pipe;
}

const loaded = (await import(pathToFileURL(resolve(file)).href)).default;
const module: PipeModule = typeof loaded === 'function' ? new loaded() : loaded;
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
try {
  await runModule(module, { inputs, outputs, args, signal: stop.signal });
  for (const p of Object.values(inputs)) await p.close();
  process.exit(0);
} catch (e) {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
}
