import type { Metadata } from '../core/refcount.ts';
import { type Pushed, Stream } from '../core/stream.ts';

/**
 * What a frame operator does with each input: `next` may emit on `out` (any number of times) and returns what
 * emitting cost; `end` runs when the input ends (flush what is held). Written with method syntax so that types
 * holding a step stay covariant.
 */
export interface FrameStep<I, O> {
  next(x: I, md: Metadata | undefined, out: Stream<O>): Pushed;
  end?(out: Stream<O>): void;
  /** What the step keeps from one input to the next (running totals, a rolling window), if anything: an
   * application with state refuses the node (see `KeepsInput` in core). */
  readonly keeps?: string;
}

/**
 * The node behind every stateful frame operator: a named stream that hands each element and its metadata to a
 * step. A step that keeps an element past `next` retains its metadata (core `hold`) and releases it when it lets go.
 *
 * @example
 * const counts = new FrameNode<Frame, number>(frames, 'rowCount', { next: (f, md, out) => out.emit(f.length, md) });
 */
export class FrameNode<I, O> extends Stream<O> {
  override kind: string;
  private readonly step: FrameStep<I, O>;

  constructor(upstream: Stream<I>, kind: string, step: FrameStep<I, O>) {
    super({ clock: upstream.clock });
    this.kind = kind;
    this.step = step;
    upstream.connect(this);
  }

  /** What the step keeps between inputs (`KeepsInput`), or undefined. */
  get keepsInput(): string | undefined {
    return this.step.keeps;
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    return this.step.next(x as I, metadata, this);
  }

  protected override flushOnEnd(): void {
    this.step.end?.(this);
  }
}
