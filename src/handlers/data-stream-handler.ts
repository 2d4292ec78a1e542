import { badArgument, describe, TwinstreamError } from '../errors.ts';
import { Interpolator, type MethodEntry } from '../time/interpolator.ts';
import { NEAREST } from '../time/piecewise.ts';
import type { TimeIndex } from '../time/time-index.ts';
import { HandlerSource } from './handler-source.ts';

/** How a model input is read from a stream column. */
export interface VariableOptions {
  /** The method for this variable (default: the handler's `interpolation`). */
  interpolation?: string;
  /** A discrete variable holds its value between samples (`previous`), whatever the method. */
  discrete?: boolean;
}

/** A model input mapped to a stream column. */
export interface HandlerVariable {
  /** `"model.variable"`: the key of `getData`. */
  readonly key: string;
  readonly model: string;
  readonly variable: string;
  /** The column or message field it is read from. */
  readonly alias: string;
  readonly interpolator: Interpolator;
  readonly discrete: boolean;
}

/** What `DataStreamHandler.create` takes: a registered type name and its config. */
export interface HandlerSpec {
  type: string;
  config?: unknown;
}

/** A handler class as the registry sees it. */
export interface HandlerClass {
  /** The `type` name of its configs (unique). */
  readonly typeName: string;
  /** Other accepted type names (CoFmuPy's, for instance). */
  readonly typeAliases?: readonly string[];
  /** What identifies the stream a (validated) config opens: equal identities open the same stream. */
  streamIdentity(config: unknown): string;
  new (config: any): DataStreamHandler;
}

const registry = new Map<string, HandlerClass>();

interface Bound {
  key: string;
  column: number;
  interpolator: Interpolator;
}

/**
 * The base of every data stream handler: it answers "what are these model inputs at time t?" from a time index
 * that a subclass fills (a file, values in memory, a live topic). Handlers are registered by type name and made
 * from `{ type, config }`, so switching source changes a config, never the model.
 *
 * @example
 * const h = DataStreamHandler.create({ type: 'local', config: { values: { 0: 1, 10: 2 }, interpolation: 'linear' } });
 * h.addVariable(['room', 'heater'], 'value');
 * await h.start();
 * h.getData(5); // { 'room.heater': 1.5 }
 */
export abstract class DataStreamHandler {
  /** The validated config. */
  readonly config: { interpolation: string };
  /** The type name it was registered under. */
  readonly type: string;
  /** Bad rows or messages it skipped, newest last (at most 100 kept; `errorCount` counts all). */
  readonly errors: { offset: string; reason: string }[] = [];
  errorCount = 0;
  protected index: TimeIndex | null = null;
  private readonly vars: HandlerVariable[] = [];
  private bound: Bound[] = [];
  private stepColumns: number[] = [];
  // The hot path's view of `bound`: columns, keys, and the methods resolved for `resolvedFor` rows.
  private columns = new Int32Array(0);
  private keys: string[] = [];
  private methods: MethodEntry[] = [];
  private resolvedFor = -1;
  private scratch = new Float64Array(0);

  protected constructor(config: { interpolation: string }) {
    this.config = config;
    this.type = (this.constructor as HandlerClass).typeName;
  }

  /**
   * Adds a handler class under its `typeName` (and `typeAliases`). A name already taken by another class is refused.
   *
   * @example
   * DataStreamHandler.register(MyHandler); // class MyHandler extends DataStreamHandler { static typeName = 'my' ... }
   */
  static register(cls: HandlerClass): void {
    if (typeof cls !== 'function') badArgument('DataStreamHandler.register', 'cls', cls, 'a handler class');
    for (const name of [cls.typeName, ...(cls.typeAliases ?? [])]) {
      if (typeof name !== 'string' || name === '') {
        badArgument('DataStreamHandler.register', 'typeName', name, 'a non-empty string');
      }
      const taken = registry.get(name);
      if (taken !== undefined && taken !== cls) {
        badArgument('DataStreamHandler.register', 'typeName', name, `a name not taken (it is ${taken.name}'s)`);
      }
    }
    for (const name of [cls.typeName, ...(cls.typeAliases ?? [])]) registry.set(name, cls);
  }

  /** The registered type names. */
  static types(): string[] {
    return [...registry.keys()];
  }

  /** The class registered for `type`, or a `TS_HANDLER_BAD_CONFIG` error listing the known types. */
  static classOf(type: unknown): HandlerClass {
    const cls = typeof type === 'string' ? registry.get(type) : undefined;
    if (cls === undefined) {
      throw new TwinstreamError(
        'TS_HANDLER_BAD_CONFIG',
        `unknown handler type ${describe(type)}; expected one of ${DataStreamHandler.types().join(', ')}`,
        { context: { type } },
      );
    }
    return cls;
  }

  /**
   * Makes a handler from `{ type, config }`; the config is validated now (`TS_HANDLER_BAD_CONFIG` names the field).
   *
   * @example
   * const h = DataStreamHandler.create({ type: 'csv', config: { path: 'inputs.csv', interpolation: 'linear' } });
   */
  static create(spec: HandlerSpec): DataStreamHandler {
    if (spec === null || typeof spec !== 'object')
      badArgument('DataStreamHandler.create', 'spec', spec, '{ type, config }');
    return new (DataStreamHandler.classOf(spec.type))(spec.config ?? {});
  }

  /**
   * Maps a model input to a column (file handlers) or message field (live handlers). Several variables may read
   * one handler; each may have its own interpolation, and a discrete one holds its value.
   */
  addVariable(name: readonly [string, string], streamAlias: string, options: VariableOptions = {}): void {
    const where = `${this.type} handler: addVariable`;
    if (!Array.isArray(name) || name.length !== 2 || name.some((s) => typeof s !== 'string' || s === '')) {
      badArgument(where, 'name', name, '[model, variable], two non-empty strings');
    }
    if (typeof streamAlias !== 'string') badArgument(where, 'streamAlias', streamAlias, 'a column or field name');
    const key = `${name[0]}.${name[1]}`;
    if (this.vars.some((v) => v.key === key)) badArgument(where, 'name', name, 'a variable not added yet');
    const discrete = options.discrete === true;
    const method = discrete ? 'previous' : (options.interpolation ?? this.config.interpolation);
    const variable: HandlerVariable = {
      key,
      model: name[0],
      variable: name[1],
      alias: this.resolveAlias(streamAlias),
      interpolator: new Interpolator(method),
      discrete,
    };
    if (this.index !== null) this.bindOne(variable, this.index);
    this.vars.push(variable);
  }

  /** The mapped variables, in the order they were added (the order of `getValues`). */
  get variables(): readonly HandlerVariable[] {
    return this.vars;
  }

  /** What a config names when the model gives none (the local handler's single column). */
  protected resolveAlias(alias: string): string {
    return alias;
  }

  /** Installs the index the subclass filled, and maps every variable to its column. */
  protected setIndex(index: TimeIndex): void {
    this.bound = [];
    this.stepColumns = [];
    this.index = index;
    for (const v of this.vars) this.bindOne(v, index);
  }

  private bindOne(v: HandlerVariable, index: TimeIndex): void {
    if (!index.columns.includes(v.alias)) {
      throw new TwinstreamError(
        'TS_HANDLER_BAD_CONFIG',
        `${this.describeStream()}: variable ${v.key} reads "${v.alias}", which it does not have; it has ${index.columns.join(', ') || 'no columns'}`,
        { context: { variable: v.key, alias: v.alias } },
      );
    }
    const column = index.columnIndex(v.alias);
    this.bound.push({ key: v.key, column, interpolator: v.interpolator });
    this.columns = Int32Array.from(this.bound, (b) => b.column);
    this.keys = this.bound.map((b) => b.key);
    this.scratch = new Float64Array(this.bound.length);
    this.resolvedFor = -1;
    // A step method changes value only at samples: a master should land on those times.
    if (Interpolator.lookup(v.interpolator.method, 'handler').kind <= NEAREST) this.stepColumns.push(column);
  }

  /** A short name of the stream for messages (the file, the topic). */
  abstract describeStream(): string;

  /** Opens the stream (reads the file, connects); `getData` answers after it resolved. */
  abstract start(): Promise<void>;

  /** Stops a live stream; a file handler keeps its data. Idempotent. */
  async stop(): Promise<void> {}

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Resolves when the data reaches `t` (at once for files and values in memory). */
  waitFor(_t: number): Promise<void> {
    return Promise.resolve();
  }

  protected requireIndex(): TimeIndex {
    if (this.index === null) throw this.notStarted();
    return this.index;
  }

  protected notStarted(): TwinstreamError {
    return new TwinstreamError(
      'TS_HANDLER_NOT_STARTED',
      `${this.describeStream()}: read before the handler started; call await handler.start() first`,
    );
  }

  /**
   * The value of every mapped variable at `t`, keyed `"model.variable"`, from what the handler holds now (NaN
   * before any data). Pass `into` to reuse an object instead of allocating one per call.
   */
  getData(t: number, into: Record<string, number> = {}): Record<string, number> {
    const out = this.getValues(t, this.scratch);
    const keys = this.keys;
    for (let v = 0; v < keys.length; v++) into[keys[v]!] = out[v]!;
    return into;
  }

  /** The values at `t` in the order of `variables`, written into `out` (no allocation). */
  getValues(t: number, out: Float64Array): Float64Array {
    const index = this.requireIndex();
    const n = index.length;
    if (n === 0) return out.fill(Number.NaN, 0, this.keys.length);
    if (n !== this.resolvedFor) {
      // With fewer rows than a method needs, its variables use linear until there are enough.
      this.methods = this.bound.map((b) => b.interpolator.resolve(n));
      this.resolvedFor = n;
    }
    index.evaluateMany(this.columns, this.methods, index.locate(t), out);
    return out;
  }

  /**
   * The next time after `t` a co-simulation master should land on: a repeated time in the data (a
   * discontinuity) or a change of a variable read with a step method (`previous`, `next`, `nearest`, discrete).
   * `Infinity` when none follows in what the handler holds.
   */
  nextEvent(t: number): number {
    return this.requireIndex().nextEvent(t, this.stepColumns);
  }

  /**
   * Whether `config` (a config of this handler's type, or `{ type, config }`) opens the same stream, so its
   * variables can share this handler.
   */
  isEquivalentStream(config: unknown): boolean {
    const cls = this.constructor as HandlerClass;
    let raw = config;
    if (config !== null && typeof config === 'object' && 'type' in config) {
      const spec = config as HandlerSpec;
      if (DataStreamHandler.classOf(spec.type) !== cls) return false;
      raw = spec.config ?? {};
    }
    try {
      return cls.streamIdentity(new cls(raw).config) === cls.streamIdentity(this.config);
    } catch (error) {
      if (error instanceof TwinstreamError && error.code === 'TS_HANDLER_BAD_CONFIG') return false;
      throw error;
    }
  }

  /**
   * A stream of samples of this handler at `times` (see `HandlerSource`): `{ t, "model.variable": value, … }`,
   * each emitted once the data reached its time.
   *
   * @example
   * handler.toStream([0, 60, 120]).sink((s) => console.log(s));
   */
  toStream(times: Iterable<number> | AsyncIterable<number>): HandlerSource {
    return new HandlerSource(this, times);
  }

  /** Records a skipped row or message (kept: the last 100). */
  protected reportError(offset: string, reason: string): void {
    this.errorCount++;
    this.errors.push({ offset, reason });
    if (this.errors.length > 100) this.errors.shift();
  }
}
