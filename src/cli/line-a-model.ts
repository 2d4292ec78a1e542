// The example model that `twinstream sim init` writes: the text of examples/models/line-a.yaml, kept equal to it
// by a test, so that an installed package (which ships no examples) can give a user a model to run.

/**
 * The Line_A example model as YAML text (one production line, one lathe, a simulated week; lifecycle events to
 * Parquet).
 *
 * @example
 * writeFileSync('line-a.yaml', LINE_A_YAML);
 * @internal
 */
export const LINE_A_YAML = `# dynamic-des's history example as a model: Line_A with exponential arrivals (2 per time unit) and normal service
# (mean 2, std 0.2, never negative) on a lathe of 4 units that may grow to 10. One simulated week from
# 2024-01-01 at factor 0 (as fast as the CPU allows); lifecycle events to Parquet, flattened, telemetry dropped.
#   twinstream sim run examples/models/line-a.yaml --out data
simId: Line_A
description: one production line, one lathe
arrival:
  standard: { dist: exponential, rate: 2 }
service:
  milling: { dist: normal, mean: 2, std: 0.2, min: 0 }
resources:
  lathe: { currentCap: 4, maxCap: 10 }
flows:
  - name: milling
    arrival: standard
    entity: task
    steps:
      - resource: lathe
        service: milling
telemetry:
  interval: 60
run:
  until: 604800 # one week, in seconds
  factor: 0
  logicalStartTime: 2024-01-01T00:00:00Z
  seed: 42
egress:
  batchSize: 5000
  flushInterval: 86400 # a partial batch leaves once per simulated day
  sinks:
    - type: parquet
      path: events.parquet
      streams: [event]
      flatten: true
`;
