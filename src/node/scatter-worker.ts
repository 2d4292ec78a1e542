// The entry of the worker threads behind scatter()/gather(): piscina loads this file in each thread and calls
// the default export once per element. The stages arrive once, as the pool's workerData, so a task carries only
// the element. This file imports nothing from the rest of twinstream but its error type (two small files): a
// worker starts fast.
import { threadId, workerData } from 'node:worker_threads';
import { TwinstreamError } from '../errors.ts';

/** How a worker finds a stage's function: an export of a module, or the source text of a self-contained function. */
export type StageFunction = { readonly module: string; readonly exportName: string } | { readonly source: string };

/** One stage between scatter() and gather(), as sent to the workers. */
export type StageSpec =
  | { readonly kind: 'map' | 'starmap'; readonly fn: StageFunction; readonly args: readonly unknown[] }
  | {
      readonly kind: 'filter';
      readonly fn: StageFunction | null;
      readonly args: readonly unknown[];
      readonly keep: boolean;
    }
  | { readonly kind: 'flatten' };

/** What a worker sends back for one element. */
export type StageResult =
  | { readonly ok: true; readonly out: unknown[] }
  | {
      readonly ok: false;
      /** The index of the stage that failed. */
      readonly stage: number;
      /** The element as that stage received it (undefined when it cannot be copied back). */
      readonly value: unknown;
      readonly error: { readonly name: string; readonly message: string; readonly stack: string | undefined };
      readonly threadId: number;
    };

// A step takes one element and pushes what it gives (none, one, several) onto `out`; an async map's promise is
// awaited in the worker, since a promise cannot cross threads.
type Step = (v: unknown, out: unknown[]) => void | Promise<void>;

function pushSettled(y: unknown, out: unknown[]): void | Promise<void> {
  if (y !== null && typeof y === 'object' && typeof (y as any).then === 'function') {
    return Promise.resolve(y).then((z) => void out.push(z));
  }
  out.push(y);
}

async function loadFunction(fn: StageFunction): Promise<Function> {
  if ('source' in fn) return new Function(`"use strict"; return (${fn.source});`)() as Function;
  const mod = await import(fn.module);
  const f = mod[fn.exportName];
  if (typeof f !== 'function') {
    throw new TwinstreamError(
      'TS_SCATTER_FUNCTION',
      `module ${fn.module} has no function export named "${fn.exportName}"`,
    );
  }
  return f as Function;
}

async function compile(spec: StageSpec): Promise<Step> {
  if (spec.kind === 'flatten') {
    return (v, out) => {
      if (v === null || typeof (v as any)?.[Symbol.iterator] !== 'function') {
        throw new TwinstreamError(
          'TS_NOT_ITERABLE',
          `flatten: element ${String(v)} is not iterable; expected an array or another iterable`,
        );
      }
      for (const y of v as Iterable<unknown>) out.push(y);
    };
  }
  const args = spec.args;
  if (spec.kind === 'filter') {
    const keep = spec.keep;
    if (spec.fn === null) return (v, out) => void (!v !== keep && out.push(v));
    const p = await loadFunction(spec.fn);
    return (v, out) => void (!p(v, ...args) !== keep && out.push(v));
  }
  const f = await loadFunction(spec.fn);
  if (spec.kind === 'starmap') return (v, out) => pushSettled(f(...(v as unknown[]), ...args), out);
  return (v, out) => pushSettled(f(v, ...args), out);
}

// A stage whose module fails to load fails every element that reaches it, with the loading error as reason.
const specs = (workerData as { stages: StageSpec[] }).stages;
const steps: Promise<Step>[] = specs.map((s) => compile(s));
for (const s of steps) s.catch(() => {}); // reported per element, not as an unhandled rejection

function copyable(v: unknown): unknown {
  try {
    structuredClone(v);
    return v;
  } catch {
    return undefined;
  }
}

/** Runs one element through every stage; a stage's failure is returned, not thrown, to say which stage it was. */
export default async function runStages(x: unknown): Promise<StageResult> {
  let values: unknown[] = [x];
  for (let i = 0; i < steps.length && values.length > 0; i++) {
    const step = await steps[i]!.catch((e) => e as Error);
    const next: unknown[] = [];
    for (const v of values) {
      try {
        if (typeof step !== 'function') throw step;
        const r = step(v, next);
        if (r !== undefined) await r;
      } catch (e) {
        const error =
          e instanceof Error
            ? { name: e.name, message: e.message, stack: e.stack }
            : { name: 'Error', message: String(e), stack: undefined };
        return { ok: false, stage: i, value: copyable(v), error, threadId };
      }
    }
    values = next;
  }
  return { ok: true, out: values };
}
