import { badArgument } from '../../errors.ts';
import type { InputPipe, OutputPipe } from '../pipe.ts';
import type { ModuleContext, PipeModule } from './pipe-module.ts';

/** Where a module's pipes come from and what it is given. */
export interface RunModuleOptions {
  readonly inputs?: Readonly<Record<string, InputPipe>>;
  readonly outputs?: Readonly<Record<string, OutputPipe>>;
  readonly args?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/**
 * Runs a module in this process and closes its outputs when it returns (also when it throws: the error is passed
 * on). A reader module needs exactly one output.
 *
 * @example
 * import { LocalPipe, MeanFilter, runModule } from 'twinstream/pipes';
 * const input = new LocalPipe({ layout: 'float64_1' });
 * const output = new LocalPipe({ layout: 'float64_1' });
 * const done = runModule(new MeanFilter(), { inputs: { in: input }, outputs: { out: output }, args: { window: '2' } });
 * await input.write([[1, 2], [2, 4]]);
 * await input.close();
 * await done;
 */
export async function runModule(module: PipeModule, options: RunModuleOptions = {}): Promise<void> {
  const inputs = options.inputs ?? {};
  const outputs = options.outputs ?? {};
  const ctx: ModuleContext = {
    args: Object.freeze({ ...module.defaults, ...options.args }),
    signal: options.signal ?? new AbortController().signal,
  };
  try {
    if (module.kind === 'reader') {
      const outs = Object.values(outputs);
      if (outs.length !== 1) {
        badArgument('runModule', 'outputs', Object.keys(outputs), 'exactly one output for a reader module');
      }
      await module.run(outs[0]!, ctx);
    } else if (module.kind === 'filter') await module.run(inputs, outputs, ctx);
    else await Promise.all(module.setup(inputs, outputs, ctx));
  } finally {
    await Promise.all(Object.values(outputs).map((o) => o.close()));
  }
}
