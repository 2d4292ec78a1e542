import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { badArgument, TwinstreamError } from '../errors.ts';

/** Where a worker thread finds a function: a module (file URL or package name) and one of its exports. */
export interface WorkerTaskRef {
  readonly module: string;
  readonly exportName: string;
}

/**
 * The type of a function made by {@link workerTask} from the type of the exported function `F`: same parameters,
 * and its result awaited, since the worker awaits a returned promise before sending the result back.
 */
export type WorkerFunction<F extends (...args: any[]) => unknown> = (...args: Parameters<F>) => Awaited<ReturnType<F>>;

const refs = new WeakMap<Function, WorkerTaskRef>();

/**
 * A function that lives in a module and runs on worker threads, for the stages between `scatter()` and
 * `gather()`. Functions cannot cross to another thread with their closures; a module can: each worker imports
 * it once and calls the export. Inside the module the function may use anything (imports, module state, other
 * functions). The returned value is typed like the function (its result awaited), so `map` infers its element
 * types, but it only runs on the pool: called on the main thread it throws.
 *
 * `module` is a file URL (`new URL('./stages.ts', import.meta.url)`), an absolute path, or a package name.
 *
 * @example
 * import type * as stages from './stages.ts';
 * const parse = workerTask<typeof stages.parse>(new URL('./stages.ts', import.meta.url), 'parse');
 * source.scatter({ workers: 4 }).map(parse).gather().sink(console.log);
 */
export function workerTask<F extends (...args: any[]) => unknown = (x: any) => unknown>(
  module: string | URL,
  exportName = 'default',
): WorkerFunction<F> {
  const href = moduleHref(module);
  if (typeof exportName !== 'string' || exportName === '') {
    badArgument('workerTask', 'exportName', exportName, 'the name of an export of the module, or "default"');
  }
  const ref: WorkerTaskRef = { module: href, exportName };
  const task = function workerTaskOnMainThread(): never {
    throw new TwinstreamError(
      'TS_WORKER_TASK_MAIN_THREAD',
      `workerTask ${exportName} of ${href} runs only between scatter() and gather(), on worker threads`,
    );
  };
  Object.defineProperty(task, 'name', { value: exportName });
  refs.set(task, ref);
  return task as unknown as WorkerFunction<F>;
}

/**
 * The module and export behind a function made by {@link workerTask}, or undefined for any other function.
 * @example workerTaskRef(workerTask('/abs/stages.ts', 'parse')); // { module: 'file:///abs/stages.ts', exportName: 'parse' }
 */
export function workerTaskRef(fn: Function): WorkerTaskRef | undefined {
  return refs.get(fn);
}

function moduleHref(module: string | URL): string {
  if (module instanceof URL) {
    if (module.protocol !== 'file:' && module.protocol !== 'data:') {
      badArgument('workerTask', 'module', module.href, 'a file: URL, an absolute path or a package name');
    }
    return module.href;
  }
  if (typeof module !== 'string' || module === '') {
    badArgument('workerTask', 'module', module, 'a file: URL, an absolute path or a package name');
  }
  if (module.startsWith('file:') || module.startsWith('data:')) return module;
  if (isAbsolute(module)) return pathToFileURL(module).href;
  // A relative path would be resolved against the worker's own file, not the caller's: refuse it.
  if (module.startsWith('.')) {
    badArgument(
      'workerTask',
      'module',
      module,
      "a file: URL such as new URL('./stages.ts', import.meta.url), an absolute path or a package name",
    );
  }
  return module;
}
