// Exponentially weighted means (pandas' `ewm(...).mean()`), carried across frames: one value per row.
import { fromJsonNumber, toJsonNumber } from '../core/json-numbers.ts';
import { describe, TwinstreamError } from '../errors.ts';
import { DictionaryColumn } from './dictionary-column.ts';
import { Frame } from './frame.ts';
import type { FrameColumn, NumericArray } from './frame-column.ts';
import { FrameStateNode } from './frame-state-node.ts';
import { StreamingFrame } from './streaming-frame.ts';
import { StreamingSeries } from './streaming-series.ts';

/** The decay, given exactly one way (as pandas), and whether weights are adjusted (default true, as pandas). */
export interface EwmOptions {
  com?: number;
  span?: number;
  halflife?: number;
  alpha?: number;
  adjust?: boolean;
  /** The state namespace (an application's checkpoints). Default: `'ewm.mean'`. */
  namespace?: string;
}

/**
 * The smoothing factor alpha from pandas' parameters; throws `TS_FRAME_BAD_EWM` with pandas' own messages.
 * @example ewmAlpha({ com: 1 }); // 0.5
 * @internal
 */
export function ewmAlpha(options: EwmOptions | number): number {
  const o: EwmOptions = typeof options === 'number' ? { com: options } : (options ?? {});
  const given = (['com', 'span', 'halflife', 'alpha'] as const).filter((k) => o[k] !== undefined && o[k] !== null);
  const fail = (m: string) => new TwinstreamError('TS_FRAME_BAD_EWM', `ewm: ${m}`, { context: { options: o } });
  if (given.length > 1) throw fail('Can only provide one of `com`, `span`, `halflife`, `alpha`.');
  if (given.length === 0) throw fail('Must pass one of com, span, halflife, or alpha');
  const v = o[given[0]!]!;
  if (typeof v !== 'number' || Number.isNaN(v)) throw fail(`${given[0]} = ${describe(v)} is not a number`);
  switch (given[0]) {
    case 'com':
      if (!(v >= 0)) throw fail('com must satisfy: comass >= 0');
      return 1 / (1 + v);
    case 'span':
      if (!(v >= 1)) throw fail('span must satisfy: span >= 1');
      return 2 / (v + 1);
    case 'halflife':
      if (!(v > 0)) throw fail('halflife must satisfy: halflife > 0');
      return 1 - Math.exp(-Math.LN2 / v);
    default:
      if (!(v > 0 && v <= 1)) throw fail('alpha must satisfy: 0 < alpha <= 1');
      return v;
  }
}

/** The running state of one column's weighted mean. */
class EwmState {
  num = 0;
  den = 0;
  last = Number.NaN;
}

function ewmColumn(s: EwmState, values: NumericArray, alpha: number, adjust: boolean): Float64Array {
  const decay = 1 - alpha;
  const out = new Float64Array(values.length);
  let { num, den, last } = s;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    // Weights follow absolute positions (pandas' ignore_na=False): a NaN row still ages the older ones.
    if (Number.isNaN(x)) {
      num *= decay;
      den *= decay;
      out[i] = last;
      continue;
    }
    if (adjust) {
      num = x + decay * num;
      den = 1 + decay * den;
    } else if (den === 0) {
      num = x;
      den = 1;
    } else {
      num = (decay * num) / den + alpha * x;
      den = 1;
    }
    last = num / den;
    out[i] = last;
  }
  s.num = num;
  s.den = den;
  s.last = last;
  return out;
}

/**
 * Exponentially weighted windows; `mean()` is what they compute (streamz implements nothing else either: there
 * is no `sum`, `var` or `apply` here, so a call to one fails to compile rather than at run time).
 *
 * @example sf.ewm({ alpha: 0.3 }).mean()
 */
export class Ewm {
  readonly source: StreamingFrame;
  readonly alpha: number;
  readonly adjust: boolean;
  readonly namespace: string | undefined;

  constructor(source: StreamingFrame, options: EwmOptions | number) {
    this.source = source;
    this.alpha = ewmAlpha(options);
    this.adjust = typeof options === 'number' ? true : options.adjust !== false;
    this.namespace = typeof options === 'number' ? undefined : options.namespace;
  }

  /** One frame per input frame: every numeric column's weighted mean at every row. */
  mean(): StreamingFrame {
    const { alpha, adjust } = this;
    const node = new FrameStateNode<Frame, Frame>(
      this.source.stream,
      'ewm.mean',
      () => {
        // Each column's weighted sums, per input partition.
        const states = new Map<string, EwmState>();
        return {
          keeps: 'running or rolling aggregates',
          next(f, md, out) {
            const cols: Record<string, FrameColumn> = {};
            for (const name of f.names) {
              const c = f.column(name);
              if (c instanceof DictionaryColumn) continue;
              let s = states.get(name);
              if (s === undefined) states.set(name, (s = new EwmState()));
              cols[name] = ewmColumn(s, c, alpha, adjust);
            }
            return out.emit(new Frame(cols, f.time, f.timeName, null), md);
          },
          save: () => Object.fromEntries([...states].map(([k, s]) => [k, [s.num, s.den, s.last].map(toJsonNumber)])),
          load(saved) {
            for (const [k, v] of Object.entries(saved as Record<string, unknown[]>)) {
              const s = new EwmState();
              s.num = fromJsonNumber(v[0]);
              s.den = fromJsonNumber(v[1]);
              s.last = fromJsonNumber(v[2]);
              states.set(k, s);
            }
          },
        };
      },
      { namespace: this.namespace },
    );
    return new StreamingFrame(node);
  }
}

declare module './streaming-frame.ts' {
  interface StreamingFrame {
    /**
     * Exponentially weighted mean: `ewm(1)` is `ewm({ com: 1 })`.
     * @example sf.ewm({ span: 10 }).mean()
     */
    ewm(options: EwmOptions | number): Ewm;
  }
}

declare module './streaming-series.ts' {
  interface StreamingSeries {
    /** @example sf.col('x').ewm({ alpha: 0.3 }).mean() */
    ewm(options: EwmOptions | number): { mean(): StreamingSeries };
  }
}

StreamingFrame.prototype.ewm = function ewm(this: StreamingFrame, options: EwmOptions | number) {
  return new Ewm(this, options);
};
StreamingSeries.prototype.ewm = function ewm(this: StreamingSeries, options: EwmOptions | number) {
  const e = new Ewm(this.frames(), options);
  return { mean: () => e.mean().col(this.name) };
};
