import type { InputPipe, OutputPipe } from '../pipe.ts';

/** What a module gets besides its pipes: its arguments and the signal that asks it to stop. */
export interface ModuleContext {
  /** `--arg name=value` on the command line, or `args` of `runModule`/`spawnModule`, over the module's defaults. */
  readonly args: Readonly<Record<string, string>>;
  /** Aborted when the module should stop (SIGTERM in a child process, or the runner's signal). */
  readonly signal: AbortSignal;
}

/**
 * A module that produces data (Joule's `ReaderModule`): `run` writes into its one output until it is done or the
 * signal aborts. The same code runs in-process (`runModule`), in a child process (`spawnModule`) or against remote
 * pipes.
 *
 * @example
 * import { ReaderModule, type ModuleContext, type OutputPipe } from 'twinstream/pipes';
 * class Counter extends ReaderModule {
 *   async run(output: OutputPipe, ctx: ModuleContext) {
 *     for (let i = 1; i <= Number(ctx.args.n ?? 3) && !ctx.signal.aborted; i++) await output.write([[i, i]]);
 *   }
 * }
 */
export abstract class ReaderModule {
  readonly kind = 'reader' as const;
  /** Argument defaults. */
  readonly defaults: Readonly<Record<string, string>> = {};
  abstract run(output: OutputPipe, ctx: ModuleContext): Promise<void>;
}

/**
 * A module that reads its inputs and writes its outputs (Joule's `FilterModule`), pipes by name.
 *
 * @example
 * import { FilterModule, type InputPipe, type OutputPipe } from 'twinstream/pipes';
 * class Copy extends FilterModule {
 *   async run(inputs: Record<string, InputPipe>, outputs: Record<string, OutputPipe>) {
 *     for (;;) {
 *       const b = await inputs.in!.read().catch(() => null);
 *       if (b === null) return;
 *       await outputs.out!.write(b);
 *       inputs.in!.consume(b.timestamps.length);
 *     }
 *   }
 * }
 */
export abstract class FilterModule {
  readonly kind = 'filter' as const;
  readonly defaults: Readonly<Record<string, string>> = {};
  abstract run(
    inputs: Readonly<Record<string, InputPipe>>,
    outputs: Readonly<Record<string, OutputPipe>>,
    ctx: ModuleContext,
  ): Promise<void>;
}

/**
 * A module made of modules (Joule's `CompositeModule`): `setup` wires them with `LocalPipe`s and returns their
 * runs; the composite is done when all are.
 *
 * @example
 * import { CompositeModule, LocalPipe, runModule, type InputPipe, type OutputPipe } from 'twinstream/pipes';
 * class Twice extends CompositeModule {
 *   setup(inputs: Record<string, InputPipe>, outputs: Record<string, OutputPipe>) {
 *     const mid = new LocalPipe({ layout: 'float64_1' });
 *     return [
 *       runModule(new MeanFilter(), { inputs: { in: inputs.in! }, outputs: { out: mid }, args: { window: '2' } }),
 *       runModule(new MeanFilter(), { inputs: { in: mid }, outputs: { out: outputs.out! }, args: { window: '2' } }),
 *     ];
 *   }
 * }
 */
export abstract class CompositeModule {
  readonly kind = 'composite' as const;
  readonly defaults: Readonly<Record<string, string>> = {};
  abstract setup(
    inputs: Readonly<Record<string, InputPipe>>,
    outputs: Readonly<Record<string, OutputPipe>>,
    ctx: ModuleContext,
  ): Promise<void>[];
}

/** Any of the three kinds. */
export type PipeModule = ReaderModule | FilterModule | CompositeModule;
