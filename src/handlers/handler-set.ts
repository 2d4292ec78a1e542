import { badArgument } from '../errors.ts';
import { DataStreamHandler, type HandlerSpec, type VariableOptions } from './data-stream-handler.ts';

/**
 * The inputs of a co-simulation: model variables mapped to streams, one handler per equivalent stream (two
 * variables reading the same file or topic share it, as CoFmuPy's coordinator does). `read(t)` waits until every
 * live stream reached `t` and returns every variable, keyed `"model.variable"`; `nextEvent(t)` is the earliest
 * event of any handler, so a master can shorten its step to land on it.
 *
 * @example
 * await using inputs = new HandlerSet();
 * inputs.addVariable(['room', 'outside'], { type: 'csv', config: { path: 'weather.csv', interpolation: 'linear' } }, 'T');
 * inputs.addVariable(['room', 'heater'], { type: 'csv', config: { path: 'weather.csv', interpolation: 'linear' } }, 'P');
 * await inputs.start(); // one handler, one file read
 * const u = await inputs.read(30);
 */
export class HandlerSet {
  private readonly list: DataStreamHandler[] = [];
  private started = false;

  /** The handlers, one per distinct stream. */
  get handlers(): readonly DataStreamHandler[] {
    return this.list;
  }

  /** Maps a model input to `streamAlias` of the stream `spec` opens, reusing a handler of an equivalent stream. */
  addVariable(
    name: readonly [string, string],
    spec: HandlerSpec,
    streamAlias: string,
    options?: VariableOptions,
  ): DataStreamHandler {
    if (this.started) badArgument('HandlerSet.addVariable', 'name', name, 'a variable added before start()');
    const key = Array.isArray(name) ? `${name[0]}.${name[1]}` : '';
    if (this.list.some((h) => h.variables.some((v) => v.key === key))) {
      badArgument('HandlerSet.addVariable', 'name', name, 'a variable not added yet');
    }
    let handler = this.list.find((h) => h.isEquivalentStream(spec));
    if (handler === undefined) {
      handler = DataStreamHandler.create(spec);
      this.list.push(handler);
    }
    // A shared handler may have been made with another interpolation: the variable keeps the one its spec names.
    const own = (spec.config as { interpolation?: unknown } | undefined)?.interpolation;
    const method = options?.interpolation ?? (typeof own === 'string' ? own : handler.config.interpolation);
    handler.addVariable(name, streamAlias, { ...options, interpolation: method });
    return handler;
  }

  /** Starts every handler (reads files, connects). */
  async start(): Promise<void> {
    this.started = true;
    await Promise.all(this.list.map((h) => h.start()));
  }

  /** Stops every handler. */
  async stop(): Promise<void> {
    await Promise.all(this.list.map((h) => h.stop()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Every variable at `t` from what the handlers hold now. */
  getData(t: number, into: Record<string, number> = {}): Record<string, number> {
    for (let i = 0; i < this.list.length; i++) this.list[i]!.getData(t, into);
    return into;
  }

  /** Waits until every stream reached `t` (by each handler's policy), then every variable at `t`. */
  async read(t: number, into: Record<string, number> = {}): Promise<Record<string, number>> {
    await Promise.all(this.list.map((h) => h.waitFor(t)));
    return this.getData(t, into);
  }

  /** The earliest next event of any handler after `t` (`Infinity` when none). */
  nextEvent(t: number): number {
    let e = Number.POSITIVE_INFINITY;
    for (const h of this.list) e = Math.min(e, h.nextEvent(t));
    return e;
  }
}
