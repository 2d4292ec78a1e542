export * from './scatter.ts';
export * from './worker-task.ts';
