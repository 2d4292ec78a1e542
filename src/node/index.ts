export * from './scatter.ts';
export * from './sink-to-textfile.ts';
export * from './to-readable.ts';
export * from './to-writable.ts';
export * from './visualize.ts';
export * from './worker-task.ts';
