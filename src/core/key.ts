import { badArgument, describe, TwinstreamError } from '../errors.ts';

/**
 * A function of an element, checked bivariantly (as methods are): option objects holding such functions then do
 * not make `Stream<T>` invariant, so a `Stream<number>` stays usable where a `Stream<unknown>` is expected.
 */
export type ElementFn<T, R = unknown> = { bivariant(x: T): R }['bivariant'];

/**
 * The field names (and indexes) of an element type: what an option that names a field accepts, so a misspelt
 * name fails to compile. Any name is accepted on `any` elements; none on `unknown` ones (a function reads those).
 * (Kept a plain `keyof`: a conditional type here would make `Stream<T>` invariant in `T`.)
 *
 * @example
 * const field: FieldName<{ sensor: string; value: number }> = 'sensor'; // 'sensr' does not compile
 */
export type FieldName<T> = keyof T & (string | number);

/** How an operator picks a key from an element: a function of it, or one of its field names / indexes. */
export type KeySpec<T> = ElementFn<T> | FieldName<T>;

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
 * Like `fieldReader`, but an element that does not have the field at all (an object without it, or a number,
 * string or boolean) throws `TS_MISSING_FIELD` naming the option, the field and a few of the fields the element
 * has: a misspelt field name is an error, not a silent null. A null or undefined element, or a field that is
 * present and null or undefined, reads as undefined / null (windows skip a null key, aggregators a null value).
 * The check runs only off the common path (an object whose field is not undefined), so that costs what
 * `fieldReader` costs.
 *
 * @example requiredFieldReader('sensor', 'tumblingWindow', 'key')({ sensr: 'a' }); // throws TS_MISSING_FIELD
 * @internal
 */
export function requiredFieldReader(name: string, where: string, option: string): (x: any) => unknown {
  const id = `${where}\u0000${option}\u0000${name}`;
  let r = required.get(id);
  if (r !== undefined) return r;
  r = checkedFieldReader(name, (x) => {
    if (x === null || x === undefined) return undefined;
    throw missingFieldError(where, option, name, x);
  });
  required.set(id, r);
  return r;
}

/**
 * The error of a field `name` (read for `option` of `where`) that element `x` lacks: `TS_MISSING_FIELD`, naming the
 * field and a few of the fields `x` has.
 *
 * @example missingFieldError('mean', 'column', 'valu', { value: 1 }).message; // mean: column field "valu" is missing …
 * @internal
 */
export function missingFieldError(where: string, option: string, name: string, x: unknown): TwinstreamError {
  const fields = x !== null && typeof x === 'object' ? Object.keys(x) : [];
  const has =
    fields.length === 0
      ? x !== null && typeof x === 'object'
        ? 'it has no fields'
        : `it is ${x === null ? 'null' : `a ${typeof x}`}`
      : `its fields are ${fields.slice(0, 8).join(', ')}${fields.length > 8 ? ', …' : ''}`;
  return new TwinstreamError(
    'TS_MISSING_FIELD',
    `${where}: ${option} field "${name}" is missing from the element ${describe(x)} (${has}); expected a field ` +
      'the elements have, or a function of the element',
    { context: { field: name, option, fields: fields.slice(0, 8) } },
  );
}

/**
 * A reader of field `name` that hands an element without it (or a value that is not an object) to `absent` and
 * returns what that returns; with `seen`, it also sets `seen.present` once an element had the field. Generated per
 * name, as `fieldReader` is, so the property load stays monomorphic.
 *
 * @example checkedFieldReader('kw', () => 0)({ w: 1 }); // 0
 * @internal
 */
export function checkedFieldReader(
  name: string,
  absent: (x: unknown) => unknown,
  seen?: { present: boolean },
): (x: any) => unknown {
  const mark = seen === undefined ? '' : 'seen.present = true; ';
  if (codegen !== false) {
    try {
      const key = JSON.stringify(name);
      const r = new Function(
        'absent',
        'seen',
        `return function (x) { if (x === null || typeof x !== 'object') return absent(x); const v = x[${key}]; ` +
          `if (v === undefined && !(${key} in x)) return absent(x); ${mark}return v; };`,
      )(absent, seen) as (x: any) => unknown;
      codegen = true;
      return r;
    } catch {
      codegen = false; // a Content-Security-Policy without eval: the closure below
    }
  }
  return (x: any) => {
    if (x === null || typeof x !== 'object') return absent(x);
    const v = x[name];
    if (v === undefined && !(name in x)) return absent(x);
    if (seen !== undefined) seen.present = true;
    return v;
  };
}
