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
export { DecimateFilter } from './modules/decimate-filter.ts';
export { MeanFilter } from './modules/mean-filter.ts';
export type { ModuleContext, PipeModule } from './modules/pipe-module.ts';
export { CompositeModule, FilterModule, ReaderModule } from './modules/pipe-module.ts';
export { RandomReader } from './modules/random-reader.ts';
export type { RunModuleOptions } from './modules/run-module.ts';
export { runModule } from './modules/run-module.ts';
export type { SpawnModuleOptions } from './modules/spawn-module.ts';
export { spawnModule } from './modules/spawn-module.ts';
export type { InputPipe, OutputPipe, ReadOptions } from './pipe.ts';
export type { ReadAllOptions } from './read-all.ts';
export { readAll } from './read-all.ts';
export type { PipeServerOptions } from './remote/pipe-server.ts';
export { PipeServer } from './remote/pipe-server.ts';
export type { RemotePipeOptions } from './remote/remote-connection.ts';
export { RemoteInputPipe } from './remote/remote-input-pipe.ts';
export type { RemoteOutputPipeOptions } from './remote/remote-output-pipe.ts';
export { RemoteOutputPipe } from './remote/remote-output-pipe.ts';
export { decimateStream, levelPath, readDecimated } from './store/decimate-stream.ts';
export type { StoredFilterOptions } from './store/run-stored-filter.ts';
export { runStoredFilter } from './store/run-stored-filter.ts';
export { StoredStreamWriter } from './store/stored-stream-writer.ts';
export type { TimeRange } from './store/stream-store.ts';
export { StreamStore } from './store/stream-store.ts';

import './to-pipe.ts';

export { CsvReader } from './modules/csv-reader.ts';
export { MedianFilter } from './modules/median-filter.ts';
export type { RunModuleFileOptions } from './modules/run-module-file.ts';
export { runModuleFile } from './modules/run-module-file.ts';
export type { PipeHttpServerOptions } from './remote/pipe-http-server.ts';
export { PipeHttpServer } from './remote/pipe-http-server.ts';
export type { PipeRow } from './to-stream.ts';
export { toStream } from './to-stream.ts';
