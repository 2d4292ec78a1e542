// The long fuzz run: every *.fuzz.test.ts with FUZZ_SCALE times its usual runs (default 50) and a fresh seed,
// printed first so that a failure can be replayed with FUZZ_SEED=<seed>.
//   npm run fuzz                 every fuzz test, 50x its runs in `npm test`
//   npm run fuzz -- --scale 200  more
import { spawnSync } from 'node:child_process';

const argv = process.argv.slice(2);
const at = argv.indexOf('--scale');
const scale = at >= 0 ? Number(argv[at + 1]) : 50;
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`fuzz: seed ${seed}, ${scale}x runs (replay: FUZZ_SEED=${seed} FUZZ_SCALE=${scale})`);
const result = spawnSync(process.execPath, ['scripts/test.ts', 'test/**/*.fuzz.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SEED: String(seed), FUZZ_SCALE: String(scale) },
});
process.exit(result.status ?? 1);
