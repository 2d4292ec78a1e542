// Declarative models (desflow's blueprints): a YAML or JSON file describing a simulated system, run by runModel.

export * from './build.ts';
export * from './run.ts';
export * from './sinks.ts';
export * from './spec.ts';
export * from './validate.ts';
