import { requireInteger } from '../../errors.ts';
import { type Held, hold, releaseAll } from '../held.ts';
import { concatMetadata, type Metadata } from '../refcount.ts';
import { type Pushed, Stream } from '../stream.ts';

interface Input {
  readonly items: Held<unknown>[];
  // Emitters whose element made this input exceed maxsize; they resume when the zip next emits.
  waiting: (() => void)[];
}

type Slot = { stream: Stream<any> } | { literal: unknown };

export interface ZipOptions {
  /** How many elements an input may hold before its emitter has to wait for the zip to emit. Default 10. */
  maxsize?: number;
}

/**
 * Emits an array with one element from each input once every input has one (first in, first out per input).
 * Literal values fill their slot every time. The same stream given twice fills both slots from one element.
 */
export class ZipNode extends Stream<unknown[]> {
  /** What it keeps between elements (`KeepsInput`): an application with state refuses it. */
  readonly keepsInput: string = 'records until every input has one';
  override kind = 'zip';
  private readonly slots: Slot[];
  private readonly inputs = new Map<Stream<any>, Input>();
  private readonly maxsize: number;

  constructor(parts: readonly unknown[], options: ZipOptions = {}) {
    const maxsize = options.maxsize ?? 10;
    requireInteger('zip', 'maxsize', maxsize, 1);
    const first = parts.find((p) => p instanceof Stream) as Stream<any> | undefined;
    super({ clock: first?.clock });
    this.maxsize = maxsize;
    this.slots = parts.map((p) => (p instanceof Stream ? { stream: p } : { literal: p }));
    for (const p of parts) if (p instanceof Stream && !this.inputs.has(p)) p.connect(this);
  }

  protected override upstreamAdded(up: Stream<any>): void {
    if (!this.inputs.has(up)) this.inputs.set(up, { items: [], waiting: [] });
    if (!this.slots.some((s) => 'stream' in s && s.stream === up)) this.slots.push({ stream: up });
  }

  protected override upstreamRemoved(up: Stream<any>): void {
    const input = this.inputs.get(up);
    if (input !== undefined) releaseAll(input.items);
    this.inputs.delete(up);
    for (let i = this.slots.length - 1; i >= 0; i--) {
      const s = this.slots[i]!;
      if ('stream' in s && s.stream === up) this.slots.splice(i, 1);
    }
  }

  override update(x: unknown, who?: Stream<any>, metadata?: Metadata): Pushed {
    const input = who === undefined ? undefined : this.inputs.get(who);
    if (input === undefined) return;
    input.items.push(hold(x, metadata));
    for (const i of this.inputs.values()) {
      if (i.items.length === 0) {
        if (input.items.length <= this.maxsize) return;
        return new Promise<void>((resolve) => input.waiting.push(resolve));
      }
    }
    const taken = new Map<Stream<any>, Held<unknown>>();
    for (const [s, i] of this.inputs) taken.set(s, i.items.shift()!);
    const tuple = this.slots.map((s) => ('stream' in s ? taken.get(s.stream)!.x : s.literal));
    const held = [...taken.values()];
    for (const i of this.inputs.values()) {
      const w = i.waiting;
      i.waiting = [];
      for (const resolve of w) resolve();
    }
    try {
      return this.pass(tuple, concatMetadata(held.map((h) => h.md)));
    } finally {
      releaseAll(held);
    }
  }
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Pairs this stream's elements with other streams' (in order), as arrays; literals fill fixed slots.
     * @example a.zip(b) // a: 1, 2; b: 'x', 'y' -> [1, 'x'], [2, 'y']
     */
    zip(...others: unknown[]): Stream<unknown[]>;
  }
}

Stream.register('zip', function zip(this: Stream<any>, ...others: unknown[]) {
  return new ZipNode([this, ...others]);
});

/**
 * Zips streams (and literals) with options.
 * @example zip([a, b], { maxsize: 100 })
 */
export function zip(parts: readonly unknown[], options: ZipOptions = {}): Stream<unknown[]> {
  return new ZipNode(parts, options);
}
