export * from './scatter.ts';
export * from './to-readable.ts';
export * from './to-writable.ts';
export * from './worker-task.ts';
