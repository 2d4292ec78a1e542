// What a user pays for installing and importing twinstream: the size of a fresh install of the packed tarball
// (without the optional peer dependencies) and the cold import time of each entry point, each import in a new
// Node process, median of the runs. Not a timed test: figures vary with the machine; compare runs side by side.
//
//   node bench/package.ts                    packs this checkout, installs it in a scratch project, measures
//   node bench/package.ts --tarball x.tgz    measures that tarball instead (an older release, to compare)
//   node bench/package.ts --runs 11          more runs per entry point (default 7)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const runs = Number(option('--runs') ?? 7);

function sizeOf(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

const work = mkdtempSync(join(tmpdir(), 'twinstream-package-'));
try {
  let tarball = option('--tarball');
  if (tarball === undefined) {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' });
    tarball = join(work, (JSON.parse(out.slice(out.indexOf('['))) as { filename: string }[])[0]!.filename);
  }
  tarball = resolve(tarball);
  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{ "name": "scratch", "private": true, "type": "module" }\n');
  // Optional peers are not installed by npm unless asked for: this is what `npm install twinstream` brings.
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=dev', tarball], {
    cwd: project,
    stdio: 'ignore',
  });
  const modules = join(project, 'node_modules');
  const packages = readdirSync(modules).flatMap((n) =>
    n.startsWith('@') ? readdirSync(join(modules, n)).map((m) => `${n}/${m}`) : n.startsWith('.') ? [] : [n],
  );
  const manifest = JSON.parse(readFileSync(join(modules, 'twinstream', 'package.json'), 'utf8')) as {
    version: string;
    exports: Record<string, unknown>;
  };
  console.log(`twinstream ${manifest.version} from ${tarball}`);
  console.log(
    `install: ${(sizeOf(modules) / 1e6).toFixed(1)} MB in node_modules, ${packages.length} packages` +
      ` (twinstream itself ${(sizeOf(join(modules, 'twinstream')) / 1e6).toFixed(1)} MB)`,
  );

  const entries = Object.keys(manifest.exports)
    .filter((k) => !k.endsWith('.json'))
    .map((k) => (k === '.' ? 'twinstream' : `twinstream/${k.slice(2)}`));
  // On a shared machine the wall time varies with the load; the CPU time the import used varies much less.
  console.log(`cold import, ms (median of ${runs} new processes; node ${process.version}):`);
  for (const entry of entries) {
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const t = performance.now(), c = process.cpuUsage(); await import(${JSON.stringify(entry)}); ` +
            'const u = process.cpuUsage(c); console.log(performance.now() - t, (u.user + u.system) / 1000);',
        ],
        { cwd: project, encoding: 'utf8' },
      );
      if (r.status !== 0) {
        times.length = 0;
        console.log(`  ${entry.padEnd(20)} fails to import: ${r.stderr.split('\n').find((l) => l.includes('Error'))}`);
        break;
      }
      const [wall, used] = r.stdout.trim().split(' ').map(Number);
      times.push(wall!);
      cpu.push(used!);
    }
    if (times.length === 0) continue;
    times.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    const median = (xs: number[]) => xs[xs.length >> 1]!.toFixed(1).padStart(6);
    console.log(`  ${entry.padEnd(20)} wall ${median(times)}  cpu ${median(cpu)}  (wall min ${times[0]!.toFixed(1)})`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
