import type { ModelSpec } from '../../sim/model/spec.ts';

/**
 * The factory line the demo simulates, embedded so the demo needs no file: Line_A as in
 * `examples/models/line-a.yaml` (exponential arrivals, 2 per second; normal service, mean 2 s; a lathe of 4 units
 * that may grow to 10), with the lathe's telemetry every 5 simulated seconds so that each 1-minute window
 * aggregates a dozen samples, and no egress of its own (the demo routes the records itself).
 *
 * @example
 * import { DEMO_MODEL } from 'twinstream/cli';
 * DEMO_MODEL.simId; // 'Line_A'
 */
export const DEMO_MODEL: ModelSpec = {
  simId: 'Line_A',
  description: 'one production line, one lathe',
  arrival: { standard: { dist: 'exponential', rate: 2 } },
  service: { milling: { dist: 'normal', mean: 2, std: 0.2, min: 0 } },
  resources: { lathe: { currentCap: 4, maxCap: 10 } },
  flows: [{ name: 'milling', arrival: 'standard', entity: 'task', steps: [{ resource: 'lathe', service: 'milling' }] }],
  telemetry: { interval: 5 },
  run: { until: 604_800, factor: 0, logicalStartTime: '2024-01-01T00:00:00Z', seed: 42 },
};
