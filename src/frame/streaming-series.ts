import { badArgument, TwinstreamError } from '../errors.ts';
import { DictionaryColumn } from './dictionary-column.ts';
import { Frame } from './frame.ts';
import type { FrameColumn, NumericArray } from './frame-column.ts';
import { type FrameExpression, StreamingFrame } from './streaming-frame.ts';

/** The other operand of column arithmetic: a number, or a series of the same frames. */
export type Operand = number | StreamingSeries;

type Binary = (a: number, b: number) => number;

/**
 * One column of a streaming frame, or a column computed from its columns: `sf.col('x').add(1)`,
 * `sf.col('x').gt(sf.col('y'))` (a mask: a `Uint8Array` per frame). Expressions compose and are evaluated once
 * per frame in a single vectorised pass each; reductions, `cumsum`, `rolling`, `window`, `ewm` and `valueCounts`
 * consume them.
 *
 * @example
 * const z = sf.col('x').mul(2).add(sf.col('y'));
 * sf.assign({ z }).filter(z.gt(10));
 */
export class StreamingSeries implements FrameExpression {
  readonly source: StreamingFrame;
  readonly name: string;
  private readonly fn: (frame: Frame) => FrameColumn;

  constructor(source: StreamingFrame, name: string, fn: (frame: Frame) => FrameColumn) {
    this.source = source;
    this.name = name;
    this.fn = fn;
  }

  evaluate(frame: Frame): FrameColumn {
    return this.fn(frame);
  }

  /** The numeric values for one frame (`TS_FRAME_NOT_NUMERIC` for strings). */
  numbers(frame: Frame): NumericArray {
    const c = this.fn(frame);
    if (c instanceof DictionaryColumn) {
      throw new TwinstreamError(
        'TS_FRAME_NOT_NUMERIC',
        `"${this.name}" holds strings; a numeric column is needed here`,
        {
          context: { column: this.name },
        },
      );
    }
    return c;
  }

  /** The same values under another name. */
  rename(name: string): StreamingSeries {
    return new StreamingSeries(this.source, name, this.fn);
  }

  /** A vectorised function of the values (it must return one value per row). */
  apply(fn: (values: NumericArray) => NumericArray): StreamingSeries {
    return new StreamingSeries(this.source, this.name, (f) => fn(this.numbers(f)));
  }

  add(other: Operand): StreamingSeries {
    return this.arith(other, 'add', (a, b) => a + b);
  }
  sub(other: Operand): StreamingSeries {
    return this.arith(other, 'sub', (a, b) => a - b);
  }
  mul(other: Operand): StreamingSeries {
    return this.arith(other, 'mul', (a, b) => a * b);
  }
  div(other: Operand): StreamingSeries {
    return this.arith(other, 'div', (a, b) => a / b);
  }
  /** Python's modulo (the sign of the divisor), as pandas: `-1 % 3 = 2`. */
  mod(other: Operand): StreamingSeries {
    return this.arith(other, 'mod', (a, b) => a - Math.floor(a / b) * b);
  }
  pow(other: Operand): StreamingSeries {
    return this.arith(other, 'pow', (a, b) => a ** b);
  }
  neg(): StreamingSeries {
    return this.arith(0, 'neg', (a) => -a);
  }
  abs(): StreamingSeries {
    return this.arith(0, 'abs', (a) => Math.abs(a));
  }

  gt(other: Operand): StreamingSeries {
    return this.compare(other, 'gt', (a, b) => (a > b ? 1 : 0));
  }
  ge(other: Operand): StreamingSeries {
    return this.compare(other, 'ge', (a, b) => (a >= b ? 1 : 0));
  }
  lt(other: Operand): StreamingSeries {
    return this.compare(other, 'lt', (a, b) => (a < b ? 1 : 0));
  }
  le(other: Operand): StreamingSeries {
    return this.compare(other, 'le', (a, b) => (a <= b ? 1 : 0));
  }
  /** Equality; on a string column, with a string (compared by dictionary code, no string per row). */
  eq(other: Operand | string): StreamingSeries {
    return typeof other === 'string' ? this.matches(other, 1) : this.compare(other, 'eq', (a, b) => (a === b ? 1 : 0));
  }
  ne(other: Operand | string): StreamingSeries {
    return typeof other === 'string' ? this.matches(other, 0) : this.compare(other, 'ne', (a, b) => (a !== b ? 1 : 0));
  }
  /** Both masks. */
  and(other: StreamingSeries): StreamingSeries {
    return this.compare(other, 'and', (a, b) => (a !== 0 && b !== 0 ? 1 : 0));
  }
  or(other: StreamingSeries): StreamingSeries {
    return this.compare(other, 'or', (a, b) => (a !== 0 || b !== 0 ? 1 : 0));
  }
  not(): StreamingSeries {
    return this.compare(0, 'not', (a) => (a === 0 ? 1 : 0));
  }

  /** A streaming frame of this one column (time kept): where stateful operations on a series run. */
  frames(): StreamingFrame {
    return this.source.map((f) => new Frame({ [this.name]: this.evaluate(f) }, f.time, f.timeName, null));
  }

  private operand(other: Operand, where: string): ((f: Frame) => NumericArray) | number {
    if (typeof other === 'number') return other;
    if (other instanceof StreamingSeries) {
      this.source.check(other, where);
      return (f) => other.numbers(f);
    }
    badArgument(where, 'other', other, 'a number or a column of the same frames');
  }

  private arith(other: Operand, op: string, f: Binary): StreamingSeries {
    return new StreamingSeries(this.source, this.name, this.kernel(other, op, f, Float64Array));
  }

  private compare(other: Operand, op: string, f: Binary): StreamingSeries {
    return new StreamingSeries(this.source, this.name, this.kernel(other, op, f, Uint8Array));
  }

  private kernel(
    other: Operand,
    op: string,
    f: Binary,
    Out: typeof Float64Array | typeof Uint8Array,
  ): (frame: Frame) => NumericArray {
    const b = this.operand(other, `${this.name}.${op}`);
    if (typeof b === 'number') {
      return (frame) => {
        const a = this.numbers(frame);
        const out = new Out(a.length);
        for (let i = 0; i < a.length; i++) out[i] = f(a[i]!, b);
        return out;
      };
    }
    return (frame) => {
      const a = this.numbers(frame);
      const c = b(frame);
      const out = new Out(a.length);
      for (let i = 0; i < a.length; i++) out[i] = f(a[i]!, c[i]!);
      return out;
    };
  }

  private matches(value: string, equal: 0 | 1): StreamingSeries {
    return new StreamingSeries(this.source, this.name, (frame) => {
      const c = this.evaluate(frame);
      if (!(c instanceof DictionaryColumn)) {
        throw new TwinstreamError(
          'TS_FRAME_NOT_STRING',
          `"${this.name}" holds numbers; compare it with a number, not "${value}"`,
        );
      }
      const code = c.codeOf(value);
      const codes = c.codes;
      const out = new Uint8Array(codes.length);
      for (let i = 0; i < codes.length; i++) out[i] = (codes[i] === code) === (equal === 1) ? 1 : 0;
      return out;
    });
  }
}

declare module './streaming-frame.ts' {
  interface StreamingFrame {
    /**
     * Column `name` as a series (an unknown name fails on the first frame, naming it).
     * @example sf.col('x').add(1)
     */
    col(name: string): StreamingSeries;
  }
}

StreamingFrame.prototype.col = function col(this: StreamingFrame, name: string): StreamingSeries {
  if (typeof name !== 'string') badArgument('col', 'name', name, 'a column name');
  return new StreamingSeries(this, name, (f) => f.column(name));
};
