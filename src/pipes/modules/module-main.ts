// The entry of a module's child process (see spawnModule):
//   node module-main.js ./my-module.ts --port 7001 --input in:float32_3 --output out:float64_3 [--arg window=8]
// Token from TWINSTREAM_PIPE_TOKEN. Exits 0 when the module returns, 1 with the error on stderr when it throws;
// SIGTERM asks it to stop.
import { parseArgs } from 'node:util';
import { parsePairs, runModuleFile } from './run-module-file.ts';

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
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
try {
  await runModuleFile(file, {
    host: values.host,
    port: Number(values.port),
    token: process.env.TWINSTREAM_PIPE_TOKEN,
    inputs: parsePairs(values.input, ':', 'input'),
    outputs: parsePairs(values.output, ':', 'output'),
    args: parsePairs(values.arg, '=', 'arg'),
    signal: stop.signal,
  });
  process.exit(0);
} catch (e) {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
}
