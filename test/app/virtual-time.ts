// Running applications on an in-memory cluster in virtual time: the clock moves in steps until what was started
// has settled.
import type { VirtualClock } from '../../src/time/clock.ts';

/**
 * Advances `clock` in steps of `step` ms until `until()` holds (checked between steps), at most `limit` ms of virtual
 * time; fails past that.
 */
export async function advanceUntil(
  clock: VirtualClock,
  until: () => boolean,
  step = 10,
  limit = 600_000,
): Promise<void> {
  const end = clock.now() + limit;
  while (!until()) {
    if (clock.now() >= end) throw new Error(`still waiting after ${limit} ms of virtual time`);
    await clock.advance(step);
  }
}

/** Advances `clock` until every promise settled; resolves with their outcomes. */
export async function settleAll<T>(
  clock: VirtualClock,
  runs: Promise<T>[],
  step = 10,
): Promise<PromiseSettledResult<T>[]> {
  let settled = 0;
  const all = Promise.allSettled(runs.map((r) => r.finally(() => settled++)));
  await advanceUntil(clock, () => settled === runs.length, step);
  return all;
}

/** Advances `clock` until `running` settles; resolves with its result (rejects with its error). */
export async function runToEnd<T>(clock: VirtualClock, running: Promise<T>): Promise<T> {
  const [outcome] = await settleAll(clock, [running]);
  if (outcome!.status === 'rejected') throw outcome!.reason;
  return outcome!.value;
}
