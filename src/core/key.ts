import { badArgument, describe, TwinstreamError } from '../errors.ts';

/**
 * A function of an element, checked bivariantly (as methods are): option objects holding such functions then do
 * not make `Stream<T>` invariant, so a `Stream<number>` stays usable where a `Stream<unknown>` is expected.
 */
export type ElementFn<T, R = unknown> = { bivariant(x: T): R }['bivariant'];

/** How an operator picks a key from an element: a function of it, or a field name / index into it. */
export type KeySpec<T> = ElementFn<T> | string | number;

/** @internal Turns a key spec into a function. A missing spec means the element itself. */
export function toKeyFn<T>(where: string, key: KeySpec<T> | undefined): (x: T) => unknown {
  if (key === undefined || key === null) return identity;
  if (typeof key === 'function') return key;
  if (typeof key === 'string') return requiredFieldReader(key, where, 'key');
  if (typeof key === 'number') return fieldReader(key);
  return badArgument(where, 'key', key, 'a function, a field name or an index');
}

function identity<T>(x: T): T {
  return x;
}

/**
 * A value usable as a `Map` key with value equality: primitives as they are, objects and arrays as their
 * canonical JSON (keys sorted), so `{ a: 1, b: 2 }` and `{ b: 2, a: 1 }` are the same key.
 * @internal
 */
export function hashKey(k: unknown): unknown {
  if (k === null || typeof k !== 'object') return k;
  return `\u0000${canonical(k)}`;
}

function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? String(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v instanceof Map) return `Map${canonical([...v.entries()])}`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as any)[k])}`).join(',')}}`;
}

const readers = new Map<string | number, (x: any) => unknown>();
let codegen: boolean | undefined;

/**
 * A function reading field (or index) `name` of an object, `undefined` for anything else. Generated once per
 * name so that each reader's property load sees one name: a closure shared by every field name becomes a
 * megamorphic keyed load, which costs several times a whole window update.
 *
 * @example fieldReader('ts')({ ts: 5 }); // 5
 * @internal
 */
export function fieldReader(name: string | number): (x: any) => unknown {
  let r = readers.get(name);
  if (r !== undefined) return r;
  if (codegen !== false) {
    try {
      r = new Function('x', `return x === null || typeof x !== 'object' ? undefined : x[${JSON.stringify(name)}];`) as (
        x: any,
      ) => unknown;
      codegen = true;
    } catch {
      codegen = false; // a Content-Security-Policy without eval: the closure below
    }
  }
  r ??= (x: any) => (x === null || typeof x !== 'object' ? undefined : x[name]);
  readers.set(name, r);
  return r;
}

const required = new Map<string, (x: any) => unknown>();

/**
 * Like `fieldReader`, but an object element that does not have the field at all throws `TS_MISSING_FIELD` naming
 * the option and the field: a misspelt field name is an error, not a silent null. A field that is present and
 * null or undefined reads as such (windows skip a null key, aggregators a null value). The check runs only when
 * the value read is undefined, so the common path costs what `fieldReader` costs.
 *
 * @example requiredFieldReader('sensor', 'tumblingWindow', 'key')({ sensr: 'a' }); // throws TS_MISSING_FIELD
 * @internal
 */
export function requiredFieldReader(name: string, where: string, option: string): (x: any) => unknown {
  const id = `${where}\u0000${option}\u0000${name}`;
  let r = required.get(id);
  if (r !== undefined) return r;
  const missing = (x: object): never => {
    throw new TwinstreamError(
      'TS_MISSING_FIELD',
      `${where}: ${option} field "${name}" is missing from the element ${describe(x)}; expected one of its fields ` +
        `(${Object.keys(x).slice(0, 10).join(', ')}) or a function of the element`,
      { context: { field: name, option } },
    );
  };
  if (codegen !== false) {
    try {
      const key = JSON.stringify(name);
      r = new Function(
        'missing',
        `return function (x) { if (x === null || typeof x !== 'object') return undefined; const v = x[${key}]; ` +
          `return v === undefined && !(${key} in x) ? missing(x) : v; };`,
      )(missing) as (x: any) => unknown;
      codegen = true;
    } catch {
      codegen = false;
    }
  }
  r ??= (x: any) => {
    if (x === null || typeof x !== 'object') return undefined;
    const v = x[name];
    return v === undefined && !(name in x) ? missing(x) : v;
  };
  required.set(id, r);
  return r;
}
