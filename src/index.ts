// The package root: every public name of twinstream, re-exported by layer. Nothing is defined here.

export * from './app/index.ts';
export * from './connectors/kafka/index.ts';
export * from './connectors/mqtt/index.ts';
export * from './connectors/s3/index.ts';
export * from './core/index.ts';
export * from './errors.ts';
export * from './frame/index.ts';
export * from './node/index.ts';
export * from './sim/index.ts';
export * from './state/index.ts';
export * from './time/index.ts';
export * from './window/index.ts';
