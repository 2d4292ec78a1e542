import { badArgument } from '../../errors.ts';
import type { Block } from '../block.ts';
import type { InputPipe, OutputPipe } from '../pipe.ts';
import type { ModuleContext } from './pipe-module.ts';

/**
 * The pipes of a filter that reads `in` and writes `out`, and its integer argument `arg` (at least `min`): each
 * refused, naming the filter, when missing or out of range.
 * @internal
 * @example
 * const { input, output, n: window } = oneInOneOut('MeanFilter', inputs, outputs, ctx, 'window', 1);
 */
export function oneInOneOut(
  where: string,
  inputs: Readonly<Record<string, InputPipe>>,
  outputs: Readonly<Record<string, OutputPipe>>,
  ctx: ModuleContext,
  arg: string,
  min: number,
): { input: InputPipe; output: OutputPipe; n: number } {
  const input = inputs.in ?? badArgument(where, 'inputs.in', undefined, 'an input pipe named "in"');
  const output = outputs.out ?? badArgument(where, 'outputs.out', undefined, 'an output pipe named "out"');
  const n = Number(ctx.args[arg]);
  if (!Number.isInteger(n) || n < min) badArgument(where, arg, ctx.args[arg], `an integer >= ${min}`);
  return { input, output, n };
}

/**
 * The blocks of `input` as reads return them, until the pipe is closed and drained or the module is stopped.
 * @internal
 * @example
 * for await (const b of blocksOf(input, ctx)) { ... }
 */
export async function* blocksOf(input: InputPipe, ctx: ModuleContext): AsyncGenerator<Block> {
  while (!ctx.signal.aborted) {
    let b: Block;
    try {
      b = (await input.read()) as Block;
    } catch (e) {
      if ((e as { code?: string }).code === 'TS_PIPE_EMPTY') return;
      throw e;
    }
    yield b;
  }
}

/**
 * Consumes what a filter used of a block of `n` rows: `used` of them while the interval goes on (the rest starts the
 * next read), all of them at an interval break or the end of the stream, where the break is passed on.
 * @internal
 * @example
 * await finishBlock(input, output, n, Math.max(0, m));
 */
export async function finishBlock(input: InputPipe, output: OutputPipe, n: number, used: number): Promise<void> {
  if (input.endOfInterval || input.endOfStream) {
    input.consume(n);
    if (input.endOfInterval) await output.closeInterval();
  } else input.consume(used);
}
