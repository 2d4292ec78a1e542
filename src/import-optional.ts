import { TwinstreamError } from './errors.ts';

// The heavy clients (Kafka, MQTT, S3, lmdb, Parquet writer, Avro, worker pool) are optional peer dependencies:
// installing twinstream for streams alone does not pull them in. The module that needs one loads it on first use,
// through these two functions, so that a missing package is a TwinstreamError that says what to install instead
// of Node's "Cannot find package". The loader is a closure (`() => import('mqtt')`) so that bundlers still see
// a literal specifier.

function missing(error: unknown, pkg: string): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e === null || typeof e !== 'object') return false;
  if (e.code !== 'ERR_MODULE_NOT_FOUND' && e.code !== 'MODULE_NOT_FOUND') return false;
  // Only the package itself: a missing file inside an installed package is a different problem.
  return typeof e.message === 'string' && (e.message.includes(`'${pkg}'`) || e.message.includes(`"${pkg}"`));
}

function missingError(pkg: string, feature: string, cause: unknown): TwinstreamError {
  return new TwinstreamError(
    'TS_MISSING_DEPENDENCY',
    `${feature} needs the package "${pkg}", an optional peer dependency of twinstream that is not installed: ` +
      `run npm install ${pkg}`,
    { cause, context: { package: pkg } },
  );
}

/**
 * Imports an optional peer dependency, or throws `TS_MISSING_DEPENDENCY` naming the package to install.
 * @internal
 * @example
 * const mqtt = await importOptional('mqtt', 'MqttClient.connect', () => import('mqtt'));
 */
export async function importOptional<T>(pkg: string, feature: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (missing(error, pkg)) throw missingError(pkg, feature, error);
    throw error;
  }
}

/**
 * `importOptional` for a CommonJS package needed synchronously (the loader calls a `require`).
 * @internal
 * @example
 * const { Piscina } = requireOptional('piscina', 'scatter', () => require('piscina'));
 */
export function requireOptional<T>(pkg: string, feature: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (missing(error, pkg)) throw missingError(pkg, feature, error);
    throw error;
  }
}
