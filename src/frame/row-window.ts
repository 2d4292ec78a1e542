import { type Held, hold, releaseAll } from '../core/held.ts';
import { fromJsonNumber, toJsonNumber } from '../core/json-numbers.ts';
import type { Metadata } from '../core/refcount.ts';
import { releaseRefs } from '../core/refcount.ts';
import { badArgument } from '../errors.ts';
import { type Duration, toMillis } from '../time/duration.ts';
import { Frame } from './frame.ts';
import { type FrameJson, frameFromJson, frameToJson } from './frame-json.ts';

/** streamz's windows over rows: the last `n` rows, or the rows whose time is within `value` of the newest. */
export type RowWindowSpec = ({ n: number; start?: Frame } | { value: Duration; start?: Frame }) & {
  /** The state namespace (an application's checkpoints). Default: the operator's kind (`'window.sum'`). */
  namespace?: string;
};

/**
 * The rows a `window({ n })` or `window({ value })` holds, as the frame slices they arrived in (buffers shared).
 * Each piece holds its frame's metadata until it has wholly left the window. Time windows keep rows with time in
 * `(newest - value, newest]`, as streamz does.
 *
 * @example
 * const w = new RowWindow({ n: 4 }, 'window');
 * const dropped = w.push(frame, undefined); // the slices that left, oldest first
 */
export class RowWindow {
  readonly n: number;
  readonly span: number;
  private readonly pieces: Held<Frame>[] = [];
  private rows = 0;
  private newest = Number.NEGATIVE_INFINITY;

  constructor(spec: RowWindowSpec, where: string) {
    const s = spec as { n?: unknown; value?: unknown; start?: unknown };
    if (s === null || typeof s !== 'object' || (s.n === undefined) === (s.value === undefined)) {
      badArgument(where, 'window', spec, "{ n: rows } or { value: '2h' }");
    }
    if (s.n !== undefined && !(Number.isInteger(s.n) && (s.n as number) >= 1)) {
      badArgument(where, 'n', s.n, 'an integer >= 1');
    }
    this.n = s.n === undefined ? Number.POSITIVE_INFINITY : (s.n as number);
    this.span = s.value === undefined ? Number.POSITIVE_INFINITY : toMillis(s.value as Duration, `${where}: value`);
    if (s.start !== undefined) {
      if (!(s.start instanceof Frame)) {
        badArgument(where, 'start', s.start, 'a Frame (a saved window state)');
      }
      this.push(s.start, undefined);
    }
  }

  /** Adds a frame; returns the slices that left the window, oldest first. */
  push(frame: Frame, md: Metadata | undefined): Frame[] {
    if (frame.length > 0) {
      this.pieces.push(hold(frame, md));
      this.rows += frame.length;
    }
    const dropped: Frame[] = [];
    if (this.span !== Number.POSITIVE_INFINITY && frame.length > 0) {
      const t = frame.times('window({ value })');
      for (let i = 0; i < t.length; i++) if (t[i]! > this.newest) this.newest = t[i]!;
      const lo = this.newest - this.span;
      while (this.pieces.length > 0) {
        const p = this.pieces[0]!.x;
        const pt = p.time!;
        let k = 0;
        while (k < pt.length && pt[k]! <= lo) k++;
        if (k === 0) break;
        this.dropFront(k, dropped);
        if (k < pt.length) break;
      }
    }
    while (this.rows > this.n) this.dropFront(Math.min(this.rows - this.n, this.pieces[0]!.x.length), dropped);
    return dropped;
  }

  private dropFront(k: number, dropped: Frame[]): void {
    const first = this.pieces[0]!;
    dropped.push(first.x.slice(0, k));
    this.rows -= k;
    if (k === first.x.length) {
      this.pieces.shift();
      releaseRefs(first.md);
    } else {
      this.pieces[0] = { x: first.x.slice(k), md: first.md };
    }
  }

  /** The slices in the window, oldest first. */
  frames(): Frame[] {
    return this.pieces.map((p) => p.x);
  }

  /** The window's rows as one frame (a state to resume from with `{ start }`). */
  content(): Frame {
    return Frame.concat(this.frames());
  }

  /** The rows held, as JSON values (a checkpoint). @example new RowWindow({ n: 4 }, 'window').load(w.save()) */
  save(): unknown {
    return { newest: toJsonNumber(this.newest), pieces: this.pieces.map((p) => frameToJson(p.x)) };
  }

  /** Replaces the rows held with those {@link RowWindow.save} gave (their offsets are covered: no metadata). */
  load(saved: unknown): void {
    this.clear();
    const s = saved as { newest: unknown; pieces: FrameJson[] };
    for (const p of s.pieces) {
      const f = frameFromJson(p);
      this.pieces.push({ x: f, md: undefined });
      this.rows += f.length;
    }
    this.newest = fromJsonNumber(s.newest);
  }

  /** Lets go of every held piece. */
  clear(): void {
    releaseAll(this.pieces);
    this.pieces.length = 0;
    this.rows = 0;
  }
}
