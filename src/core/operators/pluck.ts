import { badArgument, describe, TwinstreamError } from '../../errors.ts';
import type { Fusable, FuseContext } from '../fusion.ts';
import type { Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

type Key = string | number;

function pick(x: any, key: Key): unknown {
  if (x === null || typeof x !== 'object' || !(key in x)) {
    const what = Array.isArray(x)
      ? `index ${key} is out of range (length ${x.length})`
      : `has no field ${describe(key)}`;
    throw new TwinstreamError('TS_PLUCK_MISSING', `pluck: element ${describe(x)} ${what}`, { context: { key } });
  }
  return x[key];
}

/** Picks a field or index (or several, as an array) from every element. */
export class PluckNode extends Stream<any> implements Fusable {
  override kind = 'pluck';
  readonly pick: (x: unknown) => unknown;

  constructor(upstream: Stream<any>, key: Key | readonly Key[]) {
    const valid = (k: unknown) => typeof k === 'string' || typeof k === 'number';
    if (!(valid(key) || (Array.isArray(key) && key.every(valid)))) {
      badArgument('pluck', 'key', key, 'a field name, an index, or an array of them');
    }
    super({ clock: upstream.clock });
    this.pick = Array.isArray(key) ? (x) => (key as Key[]).map((k) => pick(x, k)) : (x) => pick(x, key as Key);
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    return this.pass(this.pick(x), metadata);
  }

  fuse(ctx: FuseContext): string {
    return `x = ${ctx.bind(this.pick)}(x);`;
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Picks `x[key]`, or `[x[k1], x[k2], ...]` for an array of keys. A missing key or index throws `TS_PLUCK_MISSING`.
     * @example source.pluck('temperature')
     */
    pluck<K extends keyof T>(key: K): Stream<T[K]>;
    pluck<const K extends readonly (keyof T)[]>(keys: K): Stream<{ [I in keyof K]: T[K[I]] }>;
  }
}

Stream.register('pluck', function pluck(this: Stream<any>, key: Key | readonly Key[]) {
  return new PluckNode(this, key);
});
