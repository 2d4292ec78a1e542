import type { Command } from 'commander';

// One or more runnable lines per command, shown at the end of its --help; the full command path is the key.
const EXAMPLES: Record<string, readonly string[]> = {
  twinstream: [
    'twinstream demo',
    'twinstream sim init && twinstream sim run line-a.yaml --until 1d',
    'twinstream run pipeline.yaml --out out',
  ],
  demo: [
    'twinstream demo',
    'twinstream demo --until 1d --out /tmp/demo',
    'twinstream demo --live --speed 120 --port 8080',
  ],
  dashboard: [
    'twinstream sim init && twinstream dashboard line-a.yaml',
    'twinstream dashboard line-a.yaml --speed 600 --port 0',
    'twinstream dashboard examples/pipelines/csv-windows.yaml --port 0',
  ],
  sim: ['twinstream sim init', 'twinstream sim run line-a.yaml --until 1h --out data'],
  'sim init': ['twinstream sim init', 'twinstream sim init models/my-line.yaml --force'],
  'sim run': [
    'twinstream sim run line-a.yaml --until 1d --out data',
    'twinstream sim run line-a.yaml --until 1h --replications 20 --workers 2',
    'twinstream sim run line-a.yaml --until 1h --replications 20 --kafka localhost:9092',
  ],
  'sim worker': [
    'twinstream sim worker --kafka localhost:9092',
    'twinstream sim worker --kafka broker1:9092,broker2:9092 --group line-a-workers --session-timeout 6s',
  ],
  'sim explain': ['twinstream sim explain line-a.yaml', 'twinstream sim explain line-a.yaml --verify --until 1d'],
  'sim experiment': ['twinstream sim experiment capacity.yaml', 'twinstream sim experiment capacity.yaml --json'],
  'sim report': ['twinstream sim report capacity.yaml --out report'],
  'sim fit': [
    'twinstream sim fit service-times.csv --column seconds --out service.yaml',
    'twinstream sim fit service-times.csv --column seconds --plot fit.svg',
  ],
  'sim schema': ['twinstream sim schema > model.schema.json'],
  'sim dist': ['twinstream sim dist', 'twinstream sim dist lognormal --mean 2 --std 0.5'],
  run: [
    'twinstream run pipeline.yaml --out out',
    'twinstream run http-ingest.yaml --for 1m --log-level warn',
    'twinstream run my-pipeline.yaml --check',
  ],
  graph: ['twinstream graph pipeline.yaml', 'twinstream graph pipeline.yaml --out pipeline.svg'],
  module: ['twinstream module run ./my-filter.ts --port 8088 --input in:float64_1 --output out:float64_3'],
  'module run': [
    'TWINSTREAM_PIPE_TOKEN=secret twinstream module run ./my-filter.ts --port 8088 --input in:float64_1 --output out:float64_3 --arg factor=4',
  ],
};

/**
 * Adds an "Examples" section to the help of every command of `program` that has examples, and returns the full
 * paths of the commands that have none (a test keeps that list empty).
 *
 * @example
 * addCommandExamples(cliProgram()); // []
 * @internal
 */
export function addCommandExamples(program: Command): string[] {
  const missing: string[] = [];
  const visit = (cmd: Command, path: string) => {
    const lines = EXAMPLES[path];
    if (lines === undefined) missing.push(path);
    else cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`);
    for (const sub of cmd.commands) visit(sub, path === 'twinstream' ? sub.name() : `${path} ${sub.name()}`);
  };
  visit(program, 'twinstream');
  return missing;
}
