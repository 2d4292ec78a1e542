import { z } from 'zod';
import { badArgument } from '../errors.ts';
import { TimeIndex } from '../time/time-index.ts';
import { DataStreamHandler } from './data-stream-handler.ts';
import { interpolationField, parseHandlerConfig, toleranceField } from './handler-config.ts';
import { timeValue } from './time-value.ts';

const schema = z
  .object({
    values: z.record(
      z.string(),
      z.union([z.number(), z.record(z.string(), z.number())]),
      'an object of time -> value (or time -> { column: value })',
    ),
    interpolation: interpolationField,
    tolerance: toleranceField,
  })
  .strict();

/** The config of a `local` handler. */
export type LocalHandlerConfig = z.input<typeof schema>;

/**
 * Values given in memory: `{ "0": 1.0, "0.5": 2.8 }` (one column, `value`) or `{ "0": { a: 1, b: 2 } }` (named
 * columns). Registered as `local`, and as `literal`, CoFmuPy's name. `set(t, value)` adds or replaces values while
 * a simulation runs. Every variable reads `value` unless it names another column.
 *
 * @example
 * const h = new LocalHandler({ values: { 0: 20, 60: 22 }, interpolation: 'linear' });
 * h.addVariable(['room', 'setpoint'], '');
 * await h.start();
 * h.getData(30); // { 'room.setpoint': 21 }
 */
export class LocalHandler extends DataStreamHandler {
  static readonly typeName = 'local';
  static readonly typeAliases = ['literal'];
  declare readonly config: z.output<typeof schema>;

  constructor(config: LocalHandlerConfig) {
    super(parseHandlerConfig(schema, config, 'local'));
    const columns = new Set<string>();
    for (const [k, v] of Object.entries(this.config.values)) {
      if (Number.isNaN(timeValue(k, 's')))
        badArgument('local handler', `values["${k}"]`, k, 'a time: a number or ISO date-time');
      if (typeof v === 'number') columns.add('value');
      else for (const c of Object.keys(v)) columns.add(c);
    }
    this.setIndex(this.build([...columns]));
  }

  /** Same values, same interpolation: CoFmuPy's rule. */
  static streamIdentity(config: z.output<typeof schema>): string {
    return JSON.stringify([config.values, config.interpolation]);
  }

  describeStream(): string {
    return 'local handler';
  }

  protected override resolveAlias(alias: string): string {
    return alias === '' ? 'value' : alias;
  }

  async start(): Promise<void> {}

  /** Sets the value (or the named columns) at time `t`, replacing a value already there. */
  set(t: number, value: number | Record<string, number>): void {
    if (!Number.isFinite(t)) badArgument('LocalHandler.set', 't', t, 'a finite number');
    const row = typeof value === 'number' ? { value } : value;
    const old = this.requireIndex();
    for (const c of Object.keys(row)) {
      if (!old.columns.includes(c)) badArgument('LocalHandler.set', 'column', c, `one of ${old.columns.join(', ')}`);
    }
    this.config.values[String(t)] = typeof value === 'number' ? value : { ...value };
    this.setIndex(this.build(old.columns));
  }

  private build(columns: readonly string[]): TimeIndex {
    const entries = Object.entries(this.config.values)
      .map(([k, v]) => [timeValue(k, 's'), v] as const)
      .sort((a, b) => a[0] - b[0]);
    const cols: Record<string, number[]> = {};
    for (const c of columns)
      cols[c] = entries.map(([, v]) =>
        typeof v === 'number' ? (c === 'value' ? v : Number.NaN) : (v[c] ?? Number.NaN),
      );
    return TimeIndex.fromColumns(
      entries.map(([t]) => t),
      cols,
      this.config.tolerance === undefined ? {} : { tolerance: this.config.tolerance },
    );
  }
}

DataStreamHandler.register(LocalHandler);
