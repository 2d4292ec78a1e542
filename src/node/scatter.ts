import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import { IdleSignal } from '../core/idle.ts';
import { FilterNode } from '../core/operators/filter.ts';
import { FlattenNode } from '../core/operators/flatten.ts';
import { MapNode } from '../core/operators/map.ts';
import { StarmapNode } from '../core/operators/starmap.ts';
import { type Metadata, releaseRefs, retainRefs } from '../core/refcount.ts';
import { type Pushed, Stream } from '../core/stream.ts';
import { describe, requireInteger, TwinstreamError } from '../errors.ts';
import { requireOptional } from '../import-optional.ts';
import type { StageFunction, StageResult, StageSpec } from './scatter-worker.ts';
import { workerTaskRef } from './worker-task.ts';

export interface ScatterOptions {
  /** How many worker threads run the stages. Default: the machine's parallelism minus one (at least 1). */
  workers?: number;
  /**
   * How many elements may wait for a free worker. With `workers` running, `workers + maxQueue` elements are in
   * flight at most; the next `emit` returns a promise until one has gone out of `gather()`. Default: `workers`.
   */
  maxQueue?: number;
}

// From source, the worker is the .ts next to this file (Node strips its types). Built, it is dist/node/scatter-worker.js
// and this code is in dist/node/ or dist/chunks/: one folder below dist/ either way (scripts/build.ts).
const WORKER_FILE = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../node/scatter-worker.ts' : '../node/scatter-worker.js', import.meta.url),
);

// piscina is an optional peer dependency, loaded (synchronously: its CommonJS build) when the first element
// reaches a scatter node, so that importing twinstream/node does not load a worker pool.
const require = createRequire(import.meta.url);
let piscina: typeof Piscina | null = null;
function loadPiscina(): typeof Piscina {
  piscina ??= requireOptional('piscina', 'scatter', () => require('piscina') as { Piscina: typeof Piscina }).Piscina;
  return piscina;
}

interface Job {
  readonly x: unknown;
  readonly md: Metadata | undefined;
  settled: boolean;
  result: StageResult | undefined;
  transportError: unknown;
}

/**
 * The start of a parallel section: elements go from here to a pool of worker threads, through the stages up to
 * the matching {@link GatherNode}, and come out of it in input order. Holds at most `workers + maxQueue`
 * elements (their metadata retained) until their results have gone on.
 *
 * @example
 * const scattered = source.scatter({ workers: 4, maxQueue: 8 });
 * scattered.map(workerTask(new URL('./stages.ts', import.meta.url), 'score')).gather().sink(store);
 * scattered.inFlight; // elements in the pool or waiting to come out, <= 12
 */
export class ScatterNode<T> extends Stream<T> {
  override kind = 'scatter';
  readonly workers: number;
  readonly maxQueue: number;
  /** @internal Set by `gather()`. */
  gatherNode: GatherNode<any> | null = null;
  /** @internal The nodes between this one and the gather node, in order. */
  stages: Stream<any>[] = [];
  private specs: StageSpec[] = [];
  private pool: Piscina | null = null;
  // Bounded by workers + maxQueue: update returns a promise once it is full, and a job leaves when emitted.
  private readonly jobs: Job[] = [];
  private readonly waiting: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private failure: { error: unknown } | null = null;
  private emitting = false;
  private readonly idleSignal = new IdleSignal();
  private endedUpstreams = 0;
  private ending = false;

  constructor(upstream: Stream<T>, options: ScatterOptions) {
    const workers = options.workers ?? Math.max(1, availableParallelism() - 1);
    requireInteger('scatter', 'workers', workers, 1);
    const maxQueue = options.maxQueue ?? workers;
    requireInteger('scatter', 'maxQueue', maxQueue, 0);
    super({ clock: upstream.clock });
    this.workers = workers;
    this.maxQueue = maxQueue;
    upstream.connect(this);
  }

  /** How many elements are in the pool or waiting to be emitted by the gather node. */
  get inFlight(): number {
    return this.jobs.length;
  }

  /** @internal Called by `gather()` with the stages it found. */
  attach(gather: GatherNode<any>, stages: Stream<any>[]): void {
    if (this.gatherNode !== null) {
      throw new TwinstreamError('TS_SCATTER_GATHERED', `gather: ${this.label()} already has a gather node`);
    }
    this.specs = stages.map(stageSpec);
    this.stages = stages;
    this.gatherNode = gather;
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    if (this.failure !== null) {
      const { error } = this.failure;
      this.failure = null;
      throw error;
    }
    if (this.gatherNode === null) {
      throw new TwinstreamError(
        'TS_SCATTER_OPEN',
        `${this.label()} received an element but has no gather(): call .gather() after the parallel stages`,
      );
    }
    this.pool ??= new (loadPiscina())({
      filename: WORKER_FILE,
      minThreads: this.workers,
      maxThreads: this.workers,
      // Never reached: this node stops admitting elements first. Kept as a second bound.
      maxQueue: this.maxQueue + this.workers,
      workerData: { stages: this.specs },
    });
    retainRefs(metadata);
    const job: Job = { x, md: metadata, settled: false, result: undefined, transportError: undefined };
    this.jobs.push(job);
    let run: Promise<StageResult>;
    try {
      run = this.pool.run(x);
    } catch (e) {
      run = Promise.reject(e);
    }
    run.then(
      (r) => this.settle(job, r, undefined),
      (e) => this.settle(job, undefined, e ?? new Error('the worker failed')),
    );
    if (this.jobs.length < this.workers + this.maxQueue) return;
    return new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private settle(job: Job, result: StageResult | undefined, transportError: unknown): void {
    job.settled = true;
    job.result = result;
    job.transportError = transportError;
    void this.emitReady();
  }

  // Emits the results of settled jobs in input order; one loop at a time, so order holds across awaits. A job
  // counts as in flight until its results have gone on, and leaves the list at the same moment it frees a slot
  // for a waiting emitter: the bound holds however the emitter's continuation interleaves with this loop.
  private async emitReady(): Promise<void> {
    if (this.emitting) return;
    this.emitting = true;
    try {
      while (this.jobs.length > 0 && this.jobs[0]!.settled) {
        const job = this.jobs[0]!;
        let failure: { error: unknown } | null = null;
        try {
          await this.deliver(job);
        } catch (error) {
          failure = { error };
        }
        this.jobs.shift();
        releaseRefs(job.md);
        const waiter = this.waiting.shift();
        if (failure === null) waiter?.resolve();
        else if (waiter !== undefined) waiter.reject(failure.error);
        else this.failure = failure;
      }
    } finally {
      this.emitting = false;
    }
    if (this.jobs.length === 0) this.idleSignal.idle();
    if (this.ending && this.jobs.length === 0) this.finish();
  }

  /** Busy while a job is in the pool or its results are being handed to the gather node. */
  override whenIdle(): Promise<void> | null {
    return this.jobs.length === 0 && !this.emitting ? null : this.idleSignal.wait();
  }

  private async deliver(job: Job): Promise<void> {
    const gather = this.gatherNode!;
    const result = job.result;
    if (result?.ok) {
      for (const y of result.out) {
        const r = gather.emit(y, job.md);
        if (r !== undefined) await r;
      }
      return;
    }
    const stage = result === undefined ? gather : this.stages[result.stage]!;
    const value = result === undefined || result.stage === 0 ? job.x : result.value;
    const error = this.workerError(stage, job, result);
    const handler = stage.errorHandler !== null ? stage : gather.errorHandler !== null ? gather : null;
    if (handler === null) throw error;
    const r = handler.fail(error, value, job.md);
    if (r !== undefined) await r;
  }

  private workerError(stage: Stream<any>, job: Job, result: StageResult | undefined): TwinstreamError {
    if (result === undefined || result.ok) {
      const cause = job.transportError;
      const why = cause instanceof Error ? cause.message : String(cause);
      return new TwinstreamError(
        'TS_WORKER_FAILED',
        `${this.label()}: element ${describe(job.x)} could not go through the worker pool: ${why}`,
        { cause, context: { node: this.label() } },
      );
    }
    const cause = new Error(result.error.message);
    cause.name = result.error.name;
    if (result.error.stack !== undefined) cause.stack = result.error.stack;
    return new TwinstreamError(
      'TS_WORKER_FAILED',
      `${stage.label()} failed on worker thread ${result.threadId}: ${result.error.message}`,
      { cause, context: { node: stage.label(), threadId: result.threadId } },
    );
  }

  // The upstream ended: the end goes on once every element in flight has come out of gather().
  protected override upstreamEnded(_up: Stream<any>): void {
    if (++this.endedUpstreams < this.upstreams.length) return;
    this.endedUpstreams = 0;
    this.ending = true;
    if (this.jobs.length === 0 && !this.emitting) this.finish();
  }

  private finish(): void {
    this.ending = false;
    void this.close();
    this.end();
  }

  /**
   * Shuts the worker threads down (a later element starts them again). Called when the stream ends and by
   * `destroy()`. Elements still in flight are failed.
   */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (pool !== null) await pool.destroy();
  }

  override destroy(): void {
    super.destroy();
    void this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.destroy();
    await this.close();
  }
}

/**
 * The end of a parallel section: emits, in input order, what the stages after its scatter node produced. Its
 * error branch receives the failures of stages that have none of their own.
 *
 * @example
 * const gathered = source.scatter().map((x) => Math.sqrt(x)).gather();
 * gathered.catch().sink(({ value, error }) => deadLetters.push({ value, reason: error.message }));
 */
export class GatherNode<T> extends Stream<T> {
  override kind = 'gather';
  readonly scatterNode: ScatterNode<any>;

  constructor(upstream: Stream<T>) {
    const stages: Stream<any>[] = [];
    let node: Stream<any> = upstream;
    while (!(node instanceof ScatterNode)) {
      if (node.upstreams.length !== 1) {
        throw new TwinstreamError(
          'TS_GATHER_WITHOUT_SCATTER',
          `gather: ${upstream.label()} is not on a single path down from a scatter() node` +
            ` (${node.label()} has ${node.upstreams.length} upstreams)`,
        );
      }
      stages.unshift(node);
      node = node.upstreams[0]!;
    }
    if (node.downstreams.length > 1) {
      throw new TwinstreamError(
        'TS_SCATTER_STAGE',
        `gather: ${node.label()} branches; the stages between scatter() and gather() must form one chain`,
      );
    }
    for (const [i, s] of stages.entries()) {
      const next = stages[i + 1];
      if (s.downstreams.length > (next === undefined ? 0 : 1) || (next !== undefined && s.downstreams[0] !== next)) {
        throw new TwinstreamError(
          'TS_SCATTER_STAGE',
          `gather: ${s.label()} branches between scatter() and gather(); the stages there must form one chain`,
        );
      }
    }
    super({ clock: upstream.clock });
    node.attach(this, stages);
    this.scatterNode = node;
    upstream.connect(this);
  }

  override destroy(): void {
    super.destroy();
    void this.scatterNode.close();
  }
}

const STAGES = 'map, starmap, filter, remove and flatten';

function stageSpec(node: Stream<any>): StageSpec {
  if (node instanceof MapNode || node instanceof StarmapNode) {
    return { kind: node.kind as 'map' | 'starmap', fn: stageFunction(node, node.fn), args: sendable(node, node.args) };
  }
  if (node instanceof FilterNode) {
    return {
      kind: 'filter',
      fn: node.predicate === null ? null : stageFunction(node, node.predicate),
      args: sendable(node, node.args),
      keep: node.keep,
    };
  }
  if (node instanceof FlattenNode) return { kind: 'flatten' };
  throw new TwinstreamError(
    'TS_SCATTER_STAGE',
    `gather: ${node.label()} cannot run on worker threads; between scatter() and gather() use ${STAGES}` +
      ' (keep stateful operators after gather())',
    { context: { node: node.label(), kind: node.kind } },
  );
}

function stageFunction(node: Stream<any>, fn: Function): StageFunction {
  const ref = workerTaskRef(fn);
  if (ref !== undefined) return ref;
  const source = Function.prototype.toString.call(fn);
  let why: string | undefined;
  if (/\{\s*\[native code\]\s*\}$/.test(source)) why = 'it is built in or bound, and has no source to send';
  else {
    try {
      if (typeof new Function(`"use strict"; return (${source});`)() !== 'function')
        why = 'its source is not a function';
    } catch {
      why = 'its source is not a function expression (a method shorthand?)';
    }
  }
  if (why !== undefined) {
    throw new TwinstreamError(
      'TS_SCATTER_FUNCTION',
      `gather: the function of ${node.label()} (${describe(fn)}) cannot be sent to a worker thread: ${why};` +
        ' use an arrow function that uses only its arguments and globals, or workerTask(module, exportName)',
      { context: { node: node.label() } },
    );
  }
  return { source };
}

function sendable(node: Stream<any>, args: readonly unknown[]): unknown[] {
  try {
    return structuredClone([...args]);
  } catch (e) {
    throw new TwinstreamError(
      'TS_SCATTER_FUNCTION',
      `gather: the extra arguments of ${node.label()} cannot be copied to a worker thread: ${(e as Error).message}`,
      { cause: e, context: { node: node.label() } },
    );
  }
}

declare module '../core/stream.ts' {
  interface Stream<T> {
    /**
     * Starts a parallel section: the stages up to `gather()` (map, starmap, filter, remove, flatten) run on a pool
     * of worker threads, order kept, at most `workers + maxQueue` elements in flight (back pressure). Their
     * functions are made by `workerTask` (twinstream/node), or self-contained functions sent by source (no closures).
     * @example
     * const score = workerTask<(r: Reading) => number>(new URL('./stages.ts', import.meta.url), 'score');
     * source.scatter({ workers: 4 }).map(score).filter((s) => s > 0.5).gather().sink(alert);
     */
    scatter(options?: ScatterOptions): ScatterNode<T>;
    /**
     * Ends the parallel section opened by `scatter()`: emits the stages' results in input order. A failing element
     * goes to the error branch of the stage that failed, else of this node, else the next emit into scatter throws.
     * @example source.scatter().map((x) => x * x).gather().sinkToList();
     */
    gather(): GatherNode<T>;
  }
}

Stream.register('scatter', function scatter(this: Stream<any>, options: ScatterOptions = {}) {
  return new ScatterNode(this, options);
});
Stream.register('gather', function gather(this: Stream<any>) {
  return new GatherNode(this);
});
