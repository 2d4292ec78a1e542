// What a user installs: the build, the entry points of the exports map with their types, the files npm would
// pack, and what a lean install (no optional peer dependency, no dependency at all) still does.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};
/** The entry points that run in a browser: they import nothing at all, not even a dependency. */
const BROWSER_SAFE_ENTRIES = [
  'twinstream',
  'twinstream/core',
  'twinstream/time',
  'twinstream/window',
  'twinstream/frame',
];
/** Every entry point of the exports map, as a user imports it: twinstream, twinstream/core, ... */
const entries = Object.entries(manifest.exports)
  .filter(([key]) => !key.endsWith('.json'))
  .map(([key, target]) => ({
    specifier: key === '.' ? 'twinstream' : `twinstream/${key.slice(2)}`,
    target: target as { types: string; default: string },
  }));

// The names the source marks @internal: a declaration with `@internal` in the JSDoc right above it.
function internalNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );
  const re =
    /\/\*\*((?:[^*]|\*(?!\/))*)\*\/\s*export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:const|let|function\*?|class|interface|type)\s+([A-Za-z_$][\w$]*)/g;
  for (const file of walk(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (let m = re.exec(text); m !== null; m = re.exec(text)) if (m[1]!.includes('@internal')) names.add(m[2]!);
  }
  return names;
}

// The names a declaration file exports, following `export { ... } from './x'` and `export * from` into the files
// they name (an index re-exports by name, but a reviewer should not have to trust that).
function declaredExports(file: string, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  if (seen.has(file)) return out;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const item of m[1]!.split(',')) {
      const name = item
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop()!;
      if (name !== '') out.add(name);
    }
  }
  for (const m of text.matchAll(
    /export\s+(?:declare\s+)?(?:abstract\s+)?(?:const|let|function|class|interface|type)\s+([A-Za-z_$][\w$]*)/g,
  ))
    out.add(m[1]!);
  for (const m of text.matchAll(/export\s+\*\s+from\s+['"]([^'"]+)['"]/g)) {
    const target = join(dirname(file), m[1]!.replace(/\.(ts|js)$/, '.d.ts'));
    for (const n of declaredExports(target, seen)) out.add(n);
  }
  return out;
}

let work: string;

describe('the package', () => {
  before(() => {
    const r = spawnSync(process.execPath, [join(root, 'scripts/build.ts')], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, `build failed:\n${r.stdout}${r.stderr}`);
    work = mkdtempSync(join(tmpdir(), 'twinstream-pkg-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('npm pack ships the build with types, the README, the docs it links to, and no sources, tests or benchmarks', () => {
    const out = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    for (const f of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'README.md',
      'CHANGELOG.md',
      'package.json',
    ])
      assert.ok(files.includes(f), f);
    for (const { target } of entries) {
      assert.ok(files.includes(target.default.slice(2)), target.default);
      assert.ok(files.includes(target.types.slice(2)), target.types);
    }
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const linked = [...readme.matchAll(/\]\((?!https?:|#)([^)#\s]+)/g)].map((m) => m[1]!.replace(/^\.\//, ''));
    assert.ok(linked.length >= 4, `the README links to ${linked.join(', ')}`);
    for (const doc of linked) assert.ok(files.includes(doc), `README links to ${doc}, which the package does not ship`);
    const unwanted = files.filter((f) => /^(src|test|bench|examples|scripts)\//.test(f) || /\.test\.|\.map$/.test(f));
    assert.deepEqual(unwanted, []);
  });

  test('every entry point of the exports map imports in a user project and has its declarations', () => {
    mkdirSync(join(work, 'node_modules'), { recursive: true });
    symlinkSync(root, join(work, 'node_modules', 'twinstream'), 'dir');
    writeFileSync(join(work, 'package.json'), '{ "type": "module" }\n');
    assert.ok(entries.length >= 12, entries.map((e) => e.specifier).join(', '));
    for (const { specifier, target } of entries) {
      assert.ok(existsSync(join(root, target.types)), `${specifier}: ${target.types} is missing`);
      const r = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `const m = await import('${specifier}'); console.log(Object.keys(m).length);`],
        { cwd: work, encoding: 'utf8' },
      );
      assert.equal(r.status, 0, `${specifier}: ${r.stderr}`);
      assert.ok(Number(r.stdout) > 0, `${specifier} exports nothing`);
    }
    writeFileSync(
      join(work, 'main.js'),
      [
        "import { Stream, VirtualClock, TwinstreamError, RefCounter, mean } from 'twinstream';",
        "import { Environment } from 'twinstream/sim';",
        'const s = new Stream();',
        'const out = s.map((x) => x * 2).filter((x) => x > 2).sinkToList();',
        '[1, 2, 3].forEach((x) => s.emit(x));',
        'const env = new Environment();',
        'env.run({ until: 5 });',
        'console.log(JSON.stringify({ out, now: env.now, clock: typeof VirtualClock, err: typeof TwinstreamError, ref: typeof RefCounter, mean: typeof mean }));',
      ].join('\n'),
    );
    const r = spawnSync(process.execPath, ['main.js'], { cwd: work, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      out: [4, 6],
      now: 5,
      clock: 'function',
      err: 'function',
      ref: 'function',
      mean: 'function',
    });
  });

  test('an entry point alone brings the operators of the layers it builds on', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        [
          "const { Application } = await import('twinstream/app');",
          "const app = new Application({ brokers: '127.0.0.1:1', groupId: 'g' });",
          "const s = app.stream(app.topic('t'));",
          'console.log(typeof s.tumblingWindow, typeof s.sink, typeof s.toKafka);',
        ].join('\n'),
      ],
      { cwd: work, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'function function function');
  });

  test('a class is one class across entry points (the chunks share modules)', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        [
          "const a = await import('twinstream'); const c = await import('twinstream/core');",
          "const w = await import('twinstream/window'); const k = await import('twinstream/kafka');",
          'console.log(a.Stream === c.Stream, a.TwinstreamError === c.TwinstreamError, a.mean === w.mean,',
          '  new k.KafkaSource("t", { brokers: "127.0.0.1:1", groupId: "g" }) instanceof a.Stream);',
        ].join('\n'),
      ],
      { cwd: work, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'true true true true');
  });

  test('no name marked @internal is reachable from any entry point, at run time or in the declarations', () => {
    const internal = internalNames();
    // The ones that were public before the entry points were split, named so this test cannot pass vacuously.
    for (const n of [
      'compilePush',
      'invalidate',
      'retainRefs',
      'kernelAdd',
      'encodeRecordBatch',
      'pump',
      'PartitionOffsets',
      'scrub',
      'withTimeout',
    ])
      assert.ok(internal.has(n), `${n} is not marked @internal`);
    const reachable: string[] = [];
    for (const { specifier, target } of entries) {
      const r = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `console.log(JSON.stringify(Object.keys(await import('${specifier}'))));`],
        { cwd: work, encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      const names = new Set([...(JSON.parse(r.stdout) as string[]), ...declaredExports(join(root, target.types))]);
      for (const n of names) if (internal.has(n)) reachable.push(`${specifier} exports ${n}`);
    }
    assert.deepEqual(reachable, []);
    // stripInternal removed the declarations themselves (no autocomplete), not just the re-exports.
    const fusion = readFileSync(join(root, 'dist/core/fusion.d.ts'), 'utf8');
    assert.ok(!fusion.includes('compilePush'), 'dist/core/fusion.d.ts still declares compilePush');
  });

  test("the declarations type-check in a strict user project that checks libraries' declarations too", () => {
    const dir = join(work, 'typed');
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(root, join(dir, 'node_modules', 'twinstream'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2023',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          types: [],
        },
        include: ['main.ts'],
      }),
    );
    writeFileSync(
      join(dir, 'main.ts'),
      entries.map(({ specifier }, i) => `import * as e${i} from '${specifier}';\nconsole.log(e${i});`).join('\n'),
    );
    const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], {
      cwd: dir,
      encoding: 'utf8',
    });
    // Errors inside other packages' declarations (Node's, the Kafka client's) are theirs; ours must have none.
    const ours = `${r.stdout}${r.stderr}`
      .split('\n')
      .filter((l) => l.includes('/dist/') && !l.includes('node_modules/'));
    assert.deepEqual(ours, []);
  });

  test('the simulation loads its @stdlib functions from one bundled file each, in this thread and in worker threads', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        [
          "import { createRequire } from 'node:module';",
          "import { Sampler, studentT, replicate } from 'twinstream/sim';",
          "const gap = new Sampler({ seed: 7 }).sample({ dist: 'exponential', rate: 2 });",
          'const t = studentT([1, 2, 3, 4], 0.95);',
          'const spec = { simId: "M", arrival: { a: { dist: "exponential", rate: 1 } }, service: { s: { dist: "exponential", rate: 2 } },',
          '  resources: { r: { currentCap: 1, maxCap: 1 } }, flows: [{ name: "f", arrival: "a", steps: [{ resource: "r", service: "s" }] }],',
          '  run: { until: 100, seed: 3 } };',
          'const rep = await replicate(spec, { replications: 4, workers: 2 });',
          'const loaded = Object.keys(createRequire(import.meta.url).cache);',
          'console.log(JSON.stringify({ gap, t: t.halfWidth, runs: rep.runs.length,',
          "  vendor: loaded.filter((f) => f.includes('/dist/vendor/')).map((f) => f.split('/').pop()).sort(),",
          "  stdlib: loaded.filter((f) => f.includes('@stdlib')).length }));",
        ].join('\n'),
      ],
      { cwd: work, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { gap: number; t: number; runs: number; vendor: string[]; stdlib: number };
    assert.ok(out.gap > 0 && out.t > 0, r.stdout);
    assert.equal(out.runs, 4);
    // This thread's modules; the worker thread's run the same code. No module of the installed packages is loaded.
    assert.deepEqual(out.vendor, ['random-base-mt19937.cjs', 'stats-base-dists-t-quantile.cjs']);
    assert.equal(out.stdlib, 0);
  });

  test('with no dependency installed, the browser-safe entry points and the clients import; the others need only their dependencies', () => {
    // The package alone, as a copy (a symlink would resolve packages from this repository's node_modules).
    const lean = join(work, 'lean');
    const pkg = join(lean, 'node_modules', 'twinstream');
    mkdirSync(pkg, { recursive: true });
    cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
    cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
    writeFileSync(join(lean, 'package.json'), '{ "type": "module" }\n');
    for (const { specifier } of entries) {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', `await import('${specifier}');`], {
        cwd: lean,
        encoding: 'utf8',
      });
      if (r.status === 0) continue;
      // A layer that checks its configuration with zod, or parses the command line, may load one of the package's
      // own dependencies at import (installed with it); never an optional peer, and never in a browser-safe layer.
      const missing = /Cannot find package '([^']+)'/.exec(r.stderr)?.[1];
      assert.ok(
        missing !== undefined && !BROWSER_SAFE_ENTRIES.includes(specifier) && manifest.dependencies[missing],
        `${specifier} needs a package to import:\n${r.stderr}`,
      );
    }
    for (const specifier of BROWSER_SAFE_ENTRIES) {
      assert.ok(
        entries.some((e) => e.specifier === specifier),
        `${specifier} is an entry point`,
      );
    }
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        [
          "import { MqttClient } from 'twinstream/mqtt';",
          "import { LmdbStateStore } from 'twinstream/state';",
          'const out = [];',
          "for (const f of [() => new MqttClient({ url: 'mqtt://127.0.0.1:1' }).connect(), () => LmdbStateStore.open({ path: 'x' })]) {",
          '  try { await f(); } catch (e) { out.push([e.code, e.context?.package, e.message]); }',
          '}',
          'console.log(JSON.stringify(out));',
        ].join('\n'),
      ],
      { cwd: lean, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const [mqtt, lmdb] = JSON.parse(r.stdout) as [string, string, string][];
    assert.deepEqual(mqtt!.slice(0, 2), ['TS_MISSING_DEPENDENCY', 'mqtt']);
    assert.match(mqtt![2], /npm install mqtt/);
    assert.deepEqual(lmdb!.slice(0, 2), ['TS_MISSING_DEPENDENCY', 'lmdb']);
  });

  test('with its dependencies and no optional peer, the simulation writes Parquet and runs replications on worker threads', () => {
    // A user's install: the package and its dependencies (linked from this repository), no optional peer and no
    // @stdlib package (the build bundles those).
    const user = join(work, 'user');
    const pkg = join(user, 'node_modules', 'twinstream');
    mkdirSync(pkg, { recursive: true });
    cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
    cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
    for (const dep of Object.keys(manifest.dependencies)) {
      mkdirSync(dirname(join(user, 'node_modules', dep)), { recursive: true });
      symlinkSync(join(root, 'node_modules', dep), join(user, 'node_modules', dep), 'dir');
    }
    writeFileSync(join(user, 'package.json'), '{ "type": "module" }\n');
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        [
          "import { replicate, runModel } from 'twinstream/sim';",
          "const spec = { simId: 'M', arrival: { a: { dist: 'exponential', rate: 1 } }, service: { s: { dist: 'exponential', rate: 2 } },",
          "  resources: { r: {} }, flows: [{ name: 'f', arrival: 'a', steps: [{ resource: 'r', service: 's' }] }], run: { until: 100, seed: 3 },",
          "  egress: { sinks: [{ type: 'parquet', path: 'events.parquet', streams: ['event'] }] } };",
          "const run = await runModel(spec, { outDir: 'out' });",
          'const rep = await replicate(spec, { replications: 4, workers: 2 });',
          'console.log(JSON.stringify({ records: run.recordsPublished, runs: rep.runs.length }));',
        ].join('\n'),
      ],
      { cwd: user, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { records: number; runs: number };
    assert.ok(out.records > 0, r.stdout);
    assert.equal(out.runs, 4);
    const parquet = readFileSync(join(user, 'out', 'events.parquet'));
    assert.equal(parquet.subarray(0, 4).toString(), 'PAR1');
    assert.equal(parquet.subarray(-4).toString(), 'PAR1');
  });

  test('the heavy clients are optional peer dependencies, kept as dev dependencies for the tests', () => {
    for (const pkg of [
      '@aws-sdk/client-s3',
      '@platformatic/kafka',
      'lmdb',
      'mqtt',
      'apache-arrow',
      'avsc',
      'vega',
      'vega-lite',
      'pg',
      'pg-copy-streams',
      'ioredis',
    ]) {
      assert.ok(manifest.peerDependencies[pkg], `${pkg} is not a peer dependency`);
      assert.equal(manifest.peerDependenciesMeta[pkg]?.optional, true, `${pkg} is not optional`);
      assert.ok(manifest.devDependencies[pkg], `${pkg} is not a dev dependency`);
    }
    // Parquet and the worker pool are small and pure JavaScript, and the simulator's first model uses both: they
    // come with the package.
    for (const pkg of ['hyparquet', 'hyparquet-writer', 'piscina']) {
      assert.ok(manifest.dependencies[pkg], `${pkg} is not a dependency`);
      assert.equal(manifest.peerDependencies[pkg], undefined, `${pkg} is also a peer dependency`);
    }
  });
});
