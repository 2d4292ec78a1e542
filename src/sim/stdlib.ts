// The @stdlib packages the simulation uses, each loaded synchronously on its first use (they are CommonJS, so the
// callers stay synchronous). A package is hundreds of small modules: the Mersenne Twister alone is 660, and
// resolving them one by one cost Node about 50 ms, more than a replication of an hour of Line_A, paid again by
// every worker thread. The built package therefore ships each one bundled into a single file, dist/vendor/<name>.cjs
// (scripts/build.ts), which loads in a few milliseconds. The packages are therefore dev dependencies: the build
// bundles them, and running from source loads them from node_modules.
import { createRequire } from 'node:module';

/** @internal The @stdlib packages loaded through `requireStdlib`, without their scope: what the build bundles. */
export const STDLIB_PACKAGES = [
  'math-base-special-digamma',
  'math-base-special-gammaln',
  'random-base-mt19937',
  'stats-base-dists-gamma-cdf',
  'stats-base-dists-normal-cdf',
  'stats-base-dists-normal-quantile',
  'stats-base-dists-t-quantile',
] as const;

/** @internal One of `STDLIB_PACKAGES`. */
export type StdlibPackage = (typeof STDLIB_PACKAGES)[number];

const require = createRequire(import.meta.url);
// Built, this code is in a chunk one folder below dist/ (scripts/build.ts checks it), so ../vendor/ is dist/vendor/.
const BUILT = !import.meta.url.endsWith('.ts');

/**
 * @internal Loads `@stdlib/<name>`: from its bundled file when built, from node_modules from source.
 * @example
 * const gammaln = requireStdlib('math-base-special-gammaln') as (x: number) => number;
 */
export function requireStdlib(name: StdlibPackage): unknown {
  return require(BUILT ? `../vendor/${name}.cjs` : `@stdlib/${name}`);
}
