// Block pipes: timestamped typed arrays between processing modules, in one process or across the network.
// Re-exports only.
export type { Block, BlockInput } from './block.ts';
export { checkTimestamps } from './block.ts';
export type { FlatBlock } from './flat-block.ts';
export { blockRows, flatten } from './flat-block.ts';
export type { DataArray, Layout } from './layout.ts';
export { parseLayout } from './layout.ts';
export type { LocalPipeOptions } from './local-pipe.ts';
export { LocalPipe } from './local-pipe.ts';
export type { InputPipe, OutputPipe, ReadOptions } from './pipe.ts';
export type { ReadAllOptions } from './read-all.ts';
export { readAll } from './read-all.ts';
