// Python's formatting of values, for comparing traces recorded by SimPy (test helper, not part of the package).

/** `repr(value)`: strings quoted, None, True/False, lists `[a, b]`. Numbers as JS prints them (ints stay ints). */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  return String(value);
}

/** `str(value)`: like repr, but strings unquoted. */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}
