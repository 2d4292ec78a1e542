import { describe, TwinstreamError } from '../errors.ts';

/**
 * Keys refused in any parameter value: through them, data from outside would reach or replace a prototype.
 *
 * @example FORBIDDEN_KEYS.has('__proto__'); // true
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * How deep a parameter value may nest: configs are a few levels deep; this is far more than any needs.
 *
 * @example copyParameterValue(JSON.parse('['.repeat(100) + ']'.repeat(100)), 'v'); // throws: nests deeper than 64 levels
 */
export const MAX_PARAMETER_DEPTH = 64;

/**
 * Copies a parameter value as data: numbers, strings, booleans, null, arrays and plain objects, the objects into
 * null-prototype ones, so nothing in it can ever be or reach a prototype. Refuses, naming the dot path of the
 * offending field, a `__proto__`, `constructor` or `prototype` key (`JSON.parse` makes `"__proto__"` an ordinary
 * own key, which `Object.assign` would then turn into a prototype), a value nested deeper than 64 levels, and
 * anything that is not data (functions, class instances, symbols, bigints). This is the one way a value enters the
 * parameter registry, from a model, a schedule or an ingress.
 *
 * @example
 * copyParameterValue({ dist: 'constant', value: 2 }, 'Line_A.service.milling'); // [Object: null prototype] { dist: 'constant', value: 2 }
 * copyParameterValue(JSON.parse('{"__proto__":{"max":-5}}'), 'Line_A.service.milling');
 * // throws TS_SIM_BAD_PARAMETER: Line_A.service.milling.__proto__ is a key no parameter may have ...
 */
export function copyParameterValue(value: unknown, path: string): unknown {
  return copy(value, path, [], 0);
}

function copy(value: unknown, path: string, at: (string | number)[], depth: number): unknown {
  if (value === null || value === undefined) return value;
  const type = typeof value;
  if (type === 'number' || type === 'string' || type === 'boolean') return value;
  const data = 'numbers, strings, booleans, null, arrays and plain objects';
  if (type !== 'object') refuse(path, at, `${describe(value)} is not data`, data);
  if (depth >= MAX_PARAMETER_DEPTH) {
    refuse(
      path,
      at,
      `nests deeper than ${MAX_PARAMETER_DEPTH} levels`,
      `a value at most ${MAX_PARAMETER_DEPTH} levels deep`,
    );
  }
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copy(value[i], path, [...at, i], depth + 1);
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) refuse(path, at, `${describe(value)} is not a plain object`, data);
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value as object)) {
    if (FORBIDDEN_KEYS.has(key)) {
      refuse(path, [...at, key], 'is a key no parameter may have', `keys other than ${[...FORBIDDEN_KEYS].join(', ')}`);
    }
    out[key] = copy((value as Record<string, unknown>)[key], path, [...at, key], depth + 1);
  }
  return out;
}

/** `path` followed by `at` as a dot path: `Line_A.variables.v[0].x`. */
function joinPath(path: string, at: readonly (string | number)[]): string {
  let out = path;
  for (const k of at) out += typeof k === 'number' ? `[${k}]` : out === '' ? k : `.${k}`;
  return out;
}

function refuse(path: string, at: (string | number)[], what: string, accepted: string): never {
  const where = joinPath(path, at);
  throw new TwinstreamError('TS_SIM_BAD_PARAMETER', `${where} ${what}; expected ${accepted}`, {
    context: { path: where, at },
  });
}
