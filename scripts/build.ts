// Builds dist/: the declarations with tsc (one .d.ts per module, internals stripped), and the JavaScript with
// esbuild, one file per entry point of package.json "exports" plus shared chunks. Importing a module costs Node
// about half a millisecond on top of its code, so a root that loaded its 87 modules one by one took 45-90 ms;
// bundled, it loads a handful of files. Modules are shared between entry points through the chunks, so each class
// exists once however many entry points a program imports.
//   node scripts/build.ts
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { STDLIB_PACKAGES } from '../src/sim/stdlib.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

/** The source file of each entry point: the exports map names ./dist/<path>.js, built from src/<path>.ts. */
export function entrySources(): string[] {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { default: string }>;
    bin: Record<string, string>;
  };
  const targets = Object.values(manifest.exports)
    .map((t) => (typeof t === 'string' ? t : t.default))
    .filter((t) => t.startsWith('./dist/'));
  // The command line, and the files started by name: scatter()'s worker, the replication worker, a child module.
  targets.push(
    ...Object.values(manifest.bin),
    './dist/node/scatter-worker.js',
    './dist/sim/replicate/replication-worker.js',
    './dist/pipes/modules/module-main.js',
  );
  return targets.map((t) => join(root, t.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')));
}

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
const built = await build({
  entryPoints: entrySources(),
  outbase: join(root, 'src'),
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // Dependencies and optional peers stay imports (the heavy ones are imported on first use).
  packages: 'external',
  // Chunks one folder below dist/, as deep as every entry point: a path relative to import.meta.url (the scatter
  // worker, package.json) is then the same from any of them.
  chunkNames: 'chunks/[name]-[hash]',
  // Error messages and `kind`s use class names; bundling may rename a class whose name two modules share.
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
// The @stdlib packages the simulation loads (src/sim/stdlib.ts), each bundled into one CommonJS file: a package is
// hundreds of small modules that Node would resolve one by one (~50 ms each time a thread loads one); bundled, a
// few milliseconds. Their license notices stay in the files.
await Promise.all(
  STDLIB_PACKAGES.map((name) =>
    build({
      entryPoints: [fileURLToPath(import.meta.resolve(`@stdlib/${name}`))],
      outfile: join(dist, 'vendor', `${name}.cjs`),
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node22',
      minify: true,
      legalComments: 'eof',
      logLevel: 'warning',
    }),
  ),
);
// stdlib.ts finds them at ../vendor/ from its own file: that holds if it is bundled one folder below dist/.
for (const [file, out] of Object.entries(built.metafile.outputs)) {
  if (out.inputs['src/sim/stdlib.ts'] !== undefined && file.split('/').length !== 3) {
    throw new Error(`src/sim/stdlib.ts was bundled into ${file}; it must be one folder below dist/`);
  }
}
// The dashboard's page is served from files beside its code (src/dashboard/static/, read relative to the module).
cpSync(join(root, 'src/dashboard/static'), join(dist, 'dashboard/static'), { recursive: true });
