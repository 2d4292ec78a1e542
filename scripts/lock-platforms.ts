// Keeps package-lock.json complete for every platform.
//
// Why: the registry this project installs from does not carry every platform build of every package (some
// optional binaries, e.g. @biomejs/cli-android-arm64, answer 404). `npm install` then silently leaves their
// entries out of the lockfile, and `npm ci` refuses the lockfile as out of sync with package.json. The missing
// entries are optional, platform-specific packages that npm would skip on this platform anyway, so this script
// writes them back (version, os, cpu, optional), exactly as npm records an optional package for another platform.
//   node scripts/lock-platforms.ts          fix package-lock.json in place
//   node scripts/lock-platforms.ts --check  exit 1 if an entry is missing
import { readFileSync, writeFileSync } from 'node:fs';

interface Entry {
  version?: string;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  optionalDependencies?: Record<string, string>;
  [k: string]: unknown;
}

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8')) as { packages: Record<string, Entry> };
const OS = ['android', 'darwin', 'freebsd', 'linux', 'netbsd', 'openbsd', 'sunos', 'win32', 'aix'];
const CPU = ['arm64', 'x64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'];

function platformOf(name: string): { os?: string[]; cpu?: string[]; libc?: string[] } {
  const parts = name.split('/').pop()!.split('-');
  const os = OS.find((o) => parts.includes(o));
  const cpu = CPU.find((c) => parts.includes(c));
  const libc = parts.includes('musl') ? ['musl'] : undefined;
  return { ...(os ? { os: [os] } : {}), ...(cpu ? { cpu: [cpu] } : {}), ...(libc ? { libc } : {}) };
}

const added: string[] = [];
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [dep, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    // npm resolves a dependency next to its dependent first, then up the tree to the root.
    const base = path === '' ? '' : `${path}/`;
    const candidates = [`${base}node_modules/${dep}`, `node_modules/${dep}`];
    if (candidates.some((c) => c in lock.packages)) continue;
    const version = spec.replace(/^[\^~=]/, '');
    if (!/^\d+\.\d+\.\d+/.test(version)) continue;
    lock.packages[`node_modules/${dep}`] = { version, optional: true, ...platformOf(dep) };
    added.push(`${dep}@${version}`);
  }
}

if (process.argv.includes('--check')) {
  if (added.length > 0) {
    console.error(
      `package-lock.json lacks ${added.length} platform entries (run node scripts/lock-platforms.ts):\n  ${added.join('\n  ')}`,
    );
    process.exit(1);
  }
  console.log('package-lock.json has every platform entry');
} else if (added.length === 0) {
  // Untouched: a rewrite could only reorder what npm wrote.
  console.log('nothing to add');
} else {
  // In npm's order (its locale comparison, where `string_decoder` comes before `string-width`), so that a later
  // `npm install` leaves the file as it is.
  const sorted = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b, 'en'))),
  );
  lock.packages = sorted;
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`added ${added.length} platform entries:\n  ${added.join('\n  ')}`);
}
