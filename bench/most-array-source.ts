// @most/core has no source of an array: the benchmarks give it this one, which emits every element in one
// scheduled task, at one time, then ends (the cheapest source its scheduler allows).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function emitAll(t: number, arr: readonly unknown[], sink: any): void {
  for (let i = 0; i < arr.length; i++) sink.event(t, arr[i]);
  sink.end(t);
}

/**
 * Loads @most/core and returns its array source; call it in a variant's setup, the source in the timed run.
 * @example
 * const fromArray = mostArraySource();
 * return () => M.runEffects(M.tap(f, fromArray(a)), newDefaultScheduler());
 */
export function mostArraySource(): (arr: readonly unknown[]) => unknown {
  const M = require('@most/core');
  const { asap } = require('@most/scheduler');
  return (arr) => M.newStream((sink: any, s: any) => asap(M.propagateTask(emitAll, arr, sink), s));
}
