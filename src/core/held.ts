import type { Clock } from '../time/clock.ts';
import type { Metadata } from './refcount.ts';
import { concatMetadata, releaseRefs, retainRefs } from './refcount.ts';
import type { Pushed, Stream } from './stream.ts';

/** An element a node keeps past the call that delivered it, with its metadata (retained while kept). */
export interface Held<T> {
  readonly x: T;
  readonly md: Metadata | undefined;
}

/** @internal Retains `md` and wraps the element for keeping. */
export function hold<T>(x: T, md: Metadata | undefined): Held<T> {
  retainRefs(md);
  return { x, md };
}

/** @internal Releases the metadata of every held element. */
export function releaseAll(items: readonly Held<unknown>[]): void {
  for (let i = 0; i < items.length; i++) releaseRefs(items[i]!.md);
}

/** @internal Runs `then` once `r` has settled (at once when it is not a promise), passing a rejection on after it. */
export function afterPushed(r: Pushed, then: () => void): Pushed {
  if (r === undefined) {
    then();
    return;
  }
  return r.then(then, (e) => {
    then();
    throw e;
  });
}

/** @internal Combines two pending deliveries into one (no promise when neither is one). */
export function both(a: Pushed, b: Pushed): Pushed {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Promise.all([a, b]).then(ignore);
}

function ignore(): void {}

/** @internal A promise that resolves after `ms` on `clock`. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimer(ms, resolve);
  });
}

/** @internal Emits held elements as one array, with their metadata concatenated, then releases them (a batch let go). */
export function emitHeldBatch<T>(node: Stream<T[]>, items: readonly Held<T>[]): Pushed {
  try {
    return node.emit(
      items.map((h) => h.x),
      concatMetadata(items.map((h) => h.md)),
    );
  } finally {
    releaseAll(items);
  }
}

/** @internal Emits one held element, waits until the graph has taken it, then releases it (a queue's consumer step). */
export async function emitHeld<T>(node: Stream<T>, item: Held<T>): Promise<void> {
  try {
    const r = node.emit(item.x, item.md);
    if (r !== undefined) await r;
  } finally {
    releaseRefs(item.md);
  }
}
