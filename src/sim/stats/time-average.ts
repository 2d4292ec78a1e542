/**
 * A value integrated over simulated time: each change adds the area of the value it replaces, so the average is
 * exact at any moment (no sampling) and costs a multiply and an add per change.
 *
 * @example
 * const queue = new TimeAverage(0, 0);
 * queue.update(10, 3); // 0 from t=0 to 10, then 3
 * queue.average(20); // 1.5
 */
export class TimeAverage {
  /** Where the average starts (the last reset). */
  start: number;
  /** When the value last changed. */
  last: number;
  /** The current value. */
  value: number;
  /** The integral of the value from `start` to `last`. */
  area = 0;

  constructor(now: number, value: number) {
    this.start = now;
    this.last = now;
    this.value = value;
  }

  /** The value becomes `value` at `now`. */
  update(now: number, value: number): void {
    this.area += this.value * (now - this.last);
    this.last = now;
    this.value = value;
  }

  /** The average from `start` to `now`; the current value over an empty span. */
  average(now: number): number {
    const span = now - this.start;
    if (span <= 0) return this.value;
    return (this.area + this.value * (now - this.last)) / span;
  }

  /** Forgets the past (after a warm-up): the average restarts at `now` from the current value. */
  reset(now: number): void {
    this.start = now;
    this.last = now;
    this.area = 0;
  }
}
