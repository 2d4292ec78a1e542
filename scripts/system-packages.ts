// The programs from Debian's packages that some test suites drive for real: graphviz's `dot` (graph drawings),
// the mosquitto MQTT broker (interoperability), PostgreSQL and Redis (the database connectors) and chromium (the browser-safe layers run in a real browser).
// `npm test` makes sure they are there, installing them with apt-get (after apt-get update) when it runs as root
// on a machine that has it, so the suites need no manual step; anywhere else it says what is missing and the
// suites that need it fail with that reason.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const NEEDED: { binary: string; pkg: string; paths: string[] }[] = [
  { binary: 'dot', pkg: 'graphviz', paths: ['/usr/bin/dot'] },
  { binary: 'mosquitto', pkg: 'mosquitto', paths: ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'] },
  { binary: 'chromium', pkg: 'chromium', paths: ['/usr/bin/chromium'] },
  { binary: 'postgres', pkg: 'postgresql', paths: ['/usr/lib/postgresql'] },
  { binary: 'redis-server', pkg: 'redis-server', paths: ['/usr/bin/redis-server'] },
];

function present(binary: string, paths: string[]): boolean {
  if (paths.some((p) => existsSync(p))) return true;
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

/** Installs the missing system packages when it can; returns what is still missing. */
export function ensureSystemPackages(): string[] {
  const missing = NEEDED.filter((n) => !present(n.binary, n.paths));
  if (missing.length === 0) return [];
  const pkgs = missing.map((m) => m.pkg);
  const root = process.getuid?.() === 0;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (root && apt && process.env.TWINSTREAM_NO_APT !== '1') {
    process.stderr.write(`installing ${pkgs.join(', ')} with apt-get for the tests that drive them...\n`);
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    const install = spawnSync('apt-get', ['install', '-y', '-qq', ...pkgs], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (update.status !== 0 || install.status !== 0) process.stderr.write('apt-get could not install them\n');
  }
  const still = NEEDED.filter((n) => !present(n.binary, n.paths)).map((n) => n.pkg);
  if (still.length > 0) {
    process.stderr.write(
      `missing system packages: ${still.join(', ')} (apt-get install ${still.join(' ')}); the suites that need them will fail\n`,
    );
  }
  return still;
}

if (import.meta.url === `file://${process.argv[1]}`) ensureSystemPackages();
