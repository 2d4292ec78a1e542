import type { Frame } from './frame.ts';
import { valueAt } from './frame-column.ts';

const ROW = Symbol('row');

/**
 * One reusable object that reads a row of a frame through getters, one per column: what an aggregator of
 * src/window sees as "the element" when it runs on a frame, so `sum('y')` reads column y and no row object is
 * built per row. It is only valid during the call that receives it: an aggregator that keeps elements (`collect`)
 * must be given a column, which it then reads as a value. (The row index sits under a symbol, so any column name
 * works.)
 *
 * @example
 * const c = new RowCursor(frame);
 * c.moveTo(2);
 * (c as any).temperature; // frame.value('temperature', 2)
 */
export class RowCursor {
  [ROW] = 0;

  constructor(frame: Frame) {
    if (frame.time !== null) {
      const t = frame.time;
      Object.defineProperty(this, frame.timeName, { get: () => t[this[ROW]], enumerable: true });
    }
    for (const name of frame.names) {
      const c = frame.column(name);
      Object.defineProperty(this, name, { get: () => valueAt(c, this[ROW]), enumerable: true });
    }
  }
}

/**
 * Points a cursor at row `i` (a function, not a method, so that no column name can shadow it).
 * @example moveCursor(cursor, 3);
 * @internal
 */
export function moveCursor(cursor: RowCursor, i: number): void {
  cursor[ROW] = i;
}
