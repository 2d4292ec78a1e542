/** The environment variables a file reads (`process.env`, or a plain object in tests). */
export type Variables = Readonly<Record<string, string | undefined>>;

/** `$$`, or `${NAME}`, `${NAME:-default}`, `${NAME-default}`. */
const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g;
/** A value that is one variable and nothing else: what it holds may become a number or a boolean. */
const WHOLE = /^\$\{[^}]*\}$/;
const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
/** Deeper than any model or pipeline may nest: left as it is, for validation to refuse with its path. */
const MAX_DEPTH = 64;

/**
 * The one rule of `${NAME}` in model and pipeline files, applied to the string values of parsed data (never to
 * keys, comments or the file's text, so a variable cannot change the file's structure): `${NAME}` is the
 * variable's value, `${NAME:-default}` (or `${NAME-default}`) the default when it is unset or empty, `$$` a `$`.
 * A value that is only a variable and holds a number or `true`/`false` becomes one (`port: ${PORT:-8080}`). An
 * unset variable with no default is passed to `missing` with the path of its value, and stays as written.
 * Returns the data with its strings replaced; objects and arrays are copied where something changed, never
 * modified. Only whole names are looked up (own properties of `env`), nothing is evaluated.
 *
 * @example
 * substituteVariables({ brokers: '${BROKERS:-localhost:9092}', port: '${PORT:-80}' }, {}, () => {});
 * // { brokers: 'localhost:9092', port: 80 }
 * @internal
 */
export function substituteVariables(
  value: unknown,
  env: Variables,
  missing: (name: string, path: (string | number)[]) => void,
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('$')) return value;
    const text = value.replace(VARIABLE, (whole, name: string | undefined, fallback: string | undefined) => {
      if (whole === '$$') return '$';
      const v = Object.hasOwn(env, name!) ? env[name!] : undefined;
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      missing(name!, path);
      return whole;
    });
    if (!WHOLE.test(value) || text === value) return text;
    if (NUMBER.test(text)) return Number(text);
    return text === 'true' ? true : text === 'false' ? false : text;
  }
  if (path.length > MAX_DEPTH) return value; // no stack overflow on hostile nesting; validation names the field
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = substituteVariables(value[i], env, missing, [...path, i]);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value; // instances (an `!include`) stay as they are
    const record = value as Record<string, unknown>;
    let out: Record<string, unknown> | null = null;
    for (const k of Object.keys(record)) {
      const v = substituteVariables(record[k], env, missing, [...path, k]);
      if (v === record[k]) continue;
      out ??= copy(record, proto);
      // Defined, not assigned: a key `__proto__` stays a key.
      Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
    }
    return out ?? value;
  }
  return value;
}

function copy(record: Record<string, unknown>, proto: object | null): Record<string, unknown> {
  const out = Object.create(proto) as Record<string, unknown>;
  for (const k of Object.keys(record)) {
    Object.defineProperty(out, k, { value: record[k], writable: true, enumerable: true, configurable: true });
  }
  return out;
}
