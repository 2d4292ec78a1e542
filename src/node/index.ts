// What needs Node: worker threads, Node streams, files, graph drawings. Re-exports only, by name.

// The entry points of the layers this one builds on: their operators are on Stream whenever this
// layer's are (its nodes use them, and its declarations promise them).
import '../core/index.ts';

export type { ScatterOptions } from './scatter.ts';
export { GatherNode, ScatterNode } from './scatter.ts';
export type { SinkToTextfileOptions } from './sink-to-textfile.ts';
export { SinkToTextfileNode } from './sink-to-textfile.ts';
export type { ToReadableOptions } from './to-readable.ts';
export { toReadable } from './to-readable.ts';
export type { ToWritableOptions } from './to-writable.ts';
export { toWritable } from './to-writable.ts';
export type { VisualizeFormat, VisualizeOptions, VisualizeResult } from './visualize.ts';
export { visualize } from './visualize.ts';
export type { WorkerFunction, WorkerTaskRef } from './worker-task.ts';
export { workerTask, workerTaskRef } from './worker-task.ts';
