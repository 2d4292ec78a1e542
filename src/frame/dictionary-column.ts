import { describe, TwinstreamError } from '../errors.ts';

/**
 * A string column held as dictionary codes: `codes[i]` indexes `dictionary`, and -1 stands for a missing value.
 * Comparing, grouping and filtering work on the `Int32Array` of codes, never on the strings.
 *
 * @example
 * const c = DictionaryColumn.encode(['a', 'b', 'a', null]);
 * c.codes;      // Int32Array [0, 1, 0, -1]
 * c.dictionary; // ['a', 'b']
 * c.get(1);     // 'b'
 */
export class DictionaryColumn {
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];

  constructor(codes: Int32Array, dictionary: readonly string[]) {
    if (!(codes instanceof Int32Array)) {
      throw new TwinstreamError(
        'TS_FRAME_BAD_COLUMN',
        `DictionaryColumn: codes must be an Int32Array, got ${describe(codes)}`,
      );
    }
    this.codes = codes;
    this.dictionary = dictionary;
  }

  /** Encodes strings (null and undefined become code -1). Throws `TS_FRAME_BAD_VALUE` for anything else. */
  static encode(values: ArrayLike<string | null | undefined>, name = 'column'): DictionaryColumn {
    const codes = new Int32Array(values.length);
    const dictionary: string[] = [];
    const index = new Map<string, number>();
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        codes[i] = -1;
        continue;
      }
      if (typeof v !== 'string') {
        throw new TwinstreamError(
          'TS_FRAME_BAD_VALUE',
          `column "${name}" row ${i}: ${describe(v)} is not a string; a string column holds strings, null or undefined`,
          { context: { column: name, row: i, value: v } },
        );
      }
      let c = index.get(v);
      if (c === undefined) {
        c = dictionary.length;
        dictionary.push(v);
        index.set(v, c);
      }
      codes[i] = c;
    }
    return new DictionaryColumn(codes, dictionary);
  }

  get length(): number {
    return this.codes.length;
  }

  /** The string at row `i`, or null. */
  get(i: number): string | null {
    const c = this.codes[i]!;
    return c < 0 ? null : this.dictionary[c]!;
  }

  /** The code of `value`, or -1 when the dictionary does not hold it. */
  codeOf(value: string): number {
    return this.dictionary.indexOf(value);
  }

  /** Rows `[start, end)`, sharing the codes' buffer and the dictionary. */
  slice(start: number, end: number): DictionaryColumn {
    return new DictionaryColumn(this.codes.subarray(start, end), this.dictionary);
  }

  /** The rows whose `mask` byte is non-zero (`count` of them). */
  filter(mask: Uint8Array, count: number): DictionaryColumn {
    const out = new Int32Array(count);
    const codes = this.codes;
    let j = 0;
    for (let i = 0; i < codes.length; i++) if (mask[i] !== 0) out[j++] = codes[i]!;
    return new DictionaryColumn(out, this.dictionary);
  }

  /** Every string, decoded (null for missing values). */
  toArray(): (string | null)[] {
    const out = new Array<string | null>(this.codes.length);
    for (let i = 0; i < out.length; i++) out[i] = this.get(i);
    return out;
  }

  /** Joins columns: codes are remapped into one dictionary (shared as is when every part has the same one). */
  static concat(parts: readonly DictionaryColumn[]): DictionaryColumn {
    let total = 0;
    for (const p of parts) total += p.length;
    const codes = new Int32Array(total);
    const first = parts[0]?.dictionary ?? [];
    if (parts.every((p) => p.dictionary === first)) {
      let at = 0;
      for (const p of parts) {
        codes.set(p.codes, at);
        at += p.length;
      }
      return new DictionaryColumn(codes, first);
    }
    const dictionary: string[] = [];
    const index = new Map<string, number>();
    let at = 0;
    for (const p of parts) {
      const remap = new Int32Array(p.dictionary.length);
      for (let c = 0; c < p.dictionary.length; c++) {
        const s = p.dictionary[c]!;
        let to = index.get(s);
        if (to === undefined) {
          to = dictionary.length;
          dictionary.push(s);
          index.set(s, to);
        }
        remap[c] = to;
      }
      const src = p.codes;
      for (let i = 0; i < src.length; i++) codes[at + i] = src[i]! < 0 ? -1 : remap[src[i]!]!;
      at += src.length;
    }
    return new DictionaryColumn(codes, dictionary);
  }
}
