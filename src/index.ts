// The package root, `twinstream`: the everyday names of streams, time, windows and frames. Importing it loads no
// Node-only module and no dependency, so it stays quick to import and runs in a browser. Every other public name
// lives in the entry point of its layer (package.json "exports"), each with its types:
//
//   twinstream/core     the stream graph, its operator nodes, checkpoints (browser-safe)
//   twinstream/time     clocks and durations (browser-safe)
//   twinstream/window   event-time windows, joins and aggregators (browser-safe)
//   twinstream/frame    columnar frames and the streaming frame (browser-safe)
//   twinstream/state    keyed state stores (memory, lmdb)
//   twinstream/connector the contract of connectors: acknowledgement, malformed input
//   twinstream/kafka    Kafka sources, sinks, clients, serializers
//   twinstream/mqtt     MQTT source, sink and client
//   twinstream/http     HTTP server source and posting sink
//   twinstream/websocket WebSocket server and client sources, sink
//   twinstream/tcp      TCP server source of lines or NDJSON
//   twinstream/process  a command's stdout lines as a source, its exit code reported
//   twinstream/s3       S3 buckets
//   twinstream/files    text files followed like tail -F, folders, CSV and JSON Lines, atomic file writes
//   twinstream/parquet  Parquet files: the toParquet sink and Stream.fromParquet
//   twinstream/postgres PostgreSQL sources and sinks
//   twinstream/redis    Redis Streams and Pub/Sub sources and sinks
//   twinstream/app      Kafka applications
//   twinstream/sim      the simulator, its models and egress
//   twinstream/node     what needs Node: worker threads, Node streams, text files, graph drawings
//   twinstream/handlers time-indexed access for models: data stream handlers (CSV, Parquet, Kafka, MQTT, ...)
//   twinstream/pipes    block pipes of timestamped typed arrays, modules, stored streams
//   twinstream/pipeline declarative pipelines: YAML files of inputs, steps and outputs
//   twinstream/cluster  replications over Kafka: a coordinator and a group of workers
//   twinstream/cli      the command line as a library
//   twinstream/dashboard the live web page: plots, the pipeline's metrics, parameter controls
//
// Adding an entry point for a new layer (handlers, pipes, a connector):
//   1. give the layer an index file that re-exports its public names by name (src/handlers/index.ts,
//      src/connectors/<name>/index.ts), never `export *`, and mark what is not public `@internal`;
//   2. add it to package.json "exports" next to the others, with its types first:
//        "./handlers": { "types": "./dist/handlers/index.d.ts", "default": "./dist/handlers/index.js" }
//      (a connector takes its own name: "./websocket" -> ./dist/connectors/websocket/index.*);
//   3. list it above. test/package.test.ts reads the exports map, so it checks the new entry
//      (it imports, its types exist, no internal name is reachable) with no change to the test.
// Only add a name here when most programs need it: a root that loads everything took ~160 ms to import.

export type { KeySpec, Metadata, State, StreamErrorInfo, StreamOperators, StreamOptions } from './core/index.ts';
export { RefCounter, Source, Stream, whenGraphIdle } from './core/index.ts';
export { ERROR_CODES, TwinstreamError, type TwinstreamErrorCode } from './errors.ts';
export type { FrameOptions } from './frame/index.ts';
export { Frame, StreamingFrame } from './frame/index.ts';
export type { Clock, Duration } from './time/index.ts';
export { RealClock, toMillis, VirtualClock } from './time/index.ts';
export type { Aggregator, LateInfo, WindowResult } from './window/index.ts';
export {
  collect,
  count,
  earliest,
  first,
  last,
  latest,
  max,
  mean,
  median,
  min,
  percentile,
  reduce,
  std,
  sum,
  variance,
} from './window/index.ts';
