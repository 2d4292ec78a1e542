// The object a window emits: `{ key, start, end, ...names }`. Built by assigning `out[name] = v` in a loop, each
// store is a keyed store of a changing name (megamorphic, one of the larger costs of closing a window); a
// function generated once per list of names writes them as one object literal.

/** Builds `{ key, start, end, [names[i]]: values[i] }`. */
export type OutputRecord = (key: unknown, start: number | null, end: number | null, values: ArrayLike<unknown>) => any;

const builders = new Map<string, OutputRecord>();
let codegen: boolean | undefined;

/**
 * The builder of a window's output for these names (cached per list of names).
 * @example outputRecord(['n', 'avg'])('s1', 0, 1000, [3, 21.5]); // { key: 's1', start: 0, end: 1000, n: 3, avg: 21.5 }
 */
export function outputRecord(names: readonly string[]): OutputRecord {
  const id = JSON.stringify(names);
  let b = builders.get(id);
  if (b !== undefined) return b;
  if (codegen !== false && !names.includes('__proto__')) {
    try {
      const fields = names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(', ');
      b = new Function(
        'key',
        'start',
        'end',
        'v',
        `return { key: key, start: start, end: end, ${fields} };`,
      ) as OutputRecord;
      codegen = true;
    } catch {
      codegen = false; // a Content-Security-Policy without eval: the loop below
    }
  }
  b ??= (key, start, end, v) => {
    const out: Record<string, unknown> = { key, start, end };
    for (let i = 0; i < names.length; i++) out[names[i]!] = v[i];
    return out;
  };
  builders.set(id, b);
  return b;
}
