import { describe, TwinstreamError } from '../../errors.ts';
import type { Scheduler } from '../kernel/events.ts';
import { BaseResource, GetEvent, PutEvent, type ResourceOptions } from './base.ts';

/** Options of a container. */
export interface ContainerOptions extends ResourceOptions {
  /** The level at the start (default 0). */
  init?: number;
}

/**
 * Puts `amount` into a container; waits while it would overflow.
 *
 * @example
 * yield tank.put(10);
 */
export class ContainerPut extends PutEvent<undefined> {
  /** How much to put. */
  readonly amount: number;

  constructor(container: Container, amount: number) {
    super(container);
    this.amount = amount;
  }
}

/**
 * Takes `amount` out of a container; waits while the level is too low.
 *
 * @example
 * yield tank.get(5);
 */
export class ContainerGet extends GetEvent<undefined> {
  /** How much to take. */
  readonly amount: number;

  constructor(container: Container, amount: number) {
    super(container);
    this.amount = amount;
  }
}

/**
 * A level of something continuous or countless (fuel, parts) between 0 and `capacity`. Puts and gets are served in
 * FIFO order: one that cannot be served holds back those after it.
 *
 * @example
 * const env = new Environment();
 * const tank = new Container(env, { capacity: 100, init: 50, name: 'tank' });
 * env.process(function* () { yield tank.get(30); console.log(tank.level); }()); // 20
 * env.run();
 */
export class Container extends BaseResource<ContainerPut, ContainerGet> {
  private lvl: number;

  constructor(env: Scheduler, options: ContainerOptions = {}) {
    super(env, 'Container', options, Number.POSITIVE_INFINITY);
    const init = options.init ?? 0;
    if (typeof init !== 'number' || !(init >= 0) || init > this._capacity) {
      throw new TwinstreamError(
        'TS_SIM_BAD_LEVEL',
        `Container "${this.name}": init = ${describe(init)} is not valid; expected a number >= 0 and <= capacity ${this._capacity}`,
      );
    }
    this.lvl = init;
  }

  /** The current level. */
  get level(): number {
    return this.lvl;
  }

  /** Puts `amount` (> 0, at most the capacity). */
  put(amount: number): ContainerPut {
    this.checkAmount('put', amount);
    return this._put(new ContainerPut(this, amount));
  }

  /** Gets `amount` (> 0, at most the capacity). */
  get(amount: number): ContainerGet {
    this.checkAmount('get', amount);
    return this._get(new ContainerGet(this, amount));
  }

  protected doPut(event: ContainerPut): boolean {
    if (this._capacity - this.lvl >= event.amount) {
      this.lvl += event.amount;
      event.succeed();
      return true;
    }
    return false;
  }

  protected doGet(event: ContainerGet): boolean {
    if (this.lvl >= event.amount) {
      this.lvl -= event.amount;
      event.succeed();
      return true;
    }
    return false;
  }

  private checkAmount(op: string, amount: unknown): void {
    if (typeof amount !== 'number' || !(amount > 0) || !Number.isFinite(amount)) {
      throw new TwinstreamError(
        'TS_SIM_BAD_AMOUNT',
        `Container "${this.name}".${op}(${describe(amount)}): expected a finite amount > 0`,
      );
    }
    if (amount > this.maxCapacity || (this.maxCapacity === Number.POSITIVE_INFINITY && amount > this._capacity)) {
      throw new TwinstreamError(
        'TS_SIM_BEYOND_CAPACITY',
        `Container "${this.name}".${op}(${amount}) can never be served: it is beyond the capacity ${this._capacity}`,
        { context: { resource: this.name, amount, capacity: this._capacity } },
      );
    }
  }
}
