// `npm run example -- <name> [arguments]`: runs examples/<name>.ts, or the pipeline examples/pipelines/<name>.yaml
// through `twinstream run`, on the Node pinned as a development dependency (it strips TypeScript types), whatever
// Node the machine has. Without a name, lists the examples.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const [name, ...rest] = process.argv.slice(2);
const scripts = readdirSync(`${root}examples`)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));
const pipelines = readdirSync(`${root}examples/pipelines`)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -5));

if (name === undefined || name === '--help') {
  console.log('usage: npm run example -- <name> [arguments]\n');
  console.log(`examples (examples/<name>.ts):\n  ${scripts.join('\n  ')}\n`);
  console.log(`pipelines (examples/pipelines/<name>.yaml, run by twinstream run):\n  ${pipelines.join('\n  ')}`);
  process.exit(name === undefined ? 1 : 0);
}
const script = `${root}examples/${name}.ts`;
const pipeline = `${root}examples/pipelines/${name}.yaml`;
const args = existsSync(script)
  ? [script, ...rest]
  : existsSync(pipeline)
    ? [`${root}src/cli/main.ts`, 'run', pipeline, ...rest]
    : null;
if (args === null) {
  console.error(`no example named "${name}"; expected one of: ${[...scripts, ...pipelines].join(', ')}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
