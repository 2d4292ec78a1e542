import { badArgument } from '../errors.ts';

/** How an operator picks a key from an element: a function of it, or a field name / index into it. */
export type KeySpec<T> = ((x: T) => unknown) | string | number;

/** Turns a key spec into a function. A missing spec means the element itself. */
export function toKeyFn<T>(where: string, key: KeySpec<T> | undefined): (x: T) => unknown {
  if (key === undefined || key === null) return identity;
  if (typeof key === 'function') return key;
  if (typeof key === 'string' || typeof key === 'number') return (x: T) => (x as any)[key];
  return badArgument(where, 'key', key, 'a function, a field name or an index');
}

function identity<T>(x: T): T {
  return x;
}

/**
 * A value usable as a `Map` key with value equality: primitives as they are, objects and arrays as their
 * canonical JSON (keys sorted), so `{ a: 1, b: 2 }` and `{ b: 2, a: 1 }` are the same key.
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
