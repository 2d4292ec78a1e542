/**
 * Every code a `TwinstreamError` may carry, each with what it means and whether trying again can help
 * (`retriable: true`: the same call may succeed later, as the cause is outside the program — a broker away, a
 * timeout, a full queue; `false`: the input, the configuration or the program must change). docs/errors.md is
 * this list as a table; a test keeps the two equal.
 *
 * @example
 * import { ERROR_CODES } from 'twinstream';
 * ERROR_CODES.TS_KAFKA_TIMEOUT.retriable; // true
 */
export const ERROR_CODES = {
  // Arguments, time and the stream graph
  TS_BAD_ARGUMENT: {
    meaning: 'An argument or option was refused; the message names it and what is accepted.',
    retriable: false,
  },
  TS_BAD_DURATION: {
    meaning:
      'A duration is neither milliseconds (a finite number >= 0) nor a string like "250ms", "10s", "5m", "2h", "1d".',
    retriable: false,
  },
  TS_BAD_TIMESTAMP: {
    meaning:
      "An element's event time is missing, not finite, not parseable or outside the Date range of ±8.64e15 ms (the message names the field and the value).",
    retriable: false,
  },
  TS_MISSING_FIELD: {
    meaning:
      "A window's key or value field is absent from an element (`context.field` names it); a field present with null is skipped instead.",
    retriable: false,
  },
  TS_MISSING_DEPENDENCY: {
    meaning:
      'An optional peer dependency is not installed (`context.package` names it): install it with npm to use the feature.',
    retriable: false,
  },
  TS_NODE_FAILED: {
    meaning:
      "A node's own work on an element threw (a user function, a bad element); the thrown error is the `cause`. What an error branch receives, and what `done` rejects with.",
    retriable: false,
  },
  TS_OPERATOR_EXISTS: {
    meaning: '`Stream.register` was given the name of a built-in member of Stream.',
    retriable: false,
  },
  TS_NOT_ITERABLE: { meaning: '`flatten` received an element that is not iterable.', retriable: false },
  TS_PLUCK_MISSING: { meaning: '`pluck` found no such field or index in an element.', retriable: false },
  TS_INTERNAL: {
    meaning: 'An invariant of twinstream itself did not hold: a bug, please report it with the message.',
    retriable: false,
  },
  // Frames
  TS_FRAME_BAD_AGGREGATOR: { meaning: "A frame window's aggregator has no column to aggregate.", retriable: false },
  TS_FRAME_BAD_ARROW: {
    meaning: 'What was given to `frameFromArrow` is not an Arrow table twinstream can read.',
    retriable: false,
  },
  TS_FRAME_BAD_COLUMN: {
    meaning: 'A frame column is not a typed array, an array of numbers or strings, or a dictionary column.',
    retriable: false,
  },
  TS_FRAME_BAD_EWM: {
    meaning: "The options of `ewm` are not valid (pandas' own rules and messages).",
    retriable: false,
  },
  TS_FRAME_BAD_MASK: { meaning: 'A filter mask is neither one byte per row nor a predicate.', retriable: false },
  TS_FRAME_BAD_ROW: { meaning: 'A row given to `Frame.fromRows` is not an object.', retriable: false },
  TS_FRAME_BAD_VALUE: {
    meaning: "A value in a column is not of the column's kind (the message names the column and the row).",
    retriable: false,
  },
  TS_FRAME_LENGTH_MISMATCH: { meaning: 'The columns of a frame do not all have one value per row.', retriable: false },
  TS_FRAME_NOT_A_FRAME: { meaning: 'A streaming frame received something that is not a Frame.', retriable: false },
  TS_FRAME_NOT_NUMERIC: { meaning: 'A string column was used where a numeric one is needed.', retriable: false },
  TS_FRAME_NOT_STRING: { meaning: 'A numeric column was used where a string one is needed.', retriable: false },
  TS_FRAME_NO_TIME: { meaning: "An operation needs the frame's time column and the frame has none.", retriable: false },
  TS_FRAME_SCHEMA_MISMATCH: {
    meaning: 'Frames to concatenate do not have the same columns of the same kinds.',
    retriable: false,
  },
  TS_FRAME_SOURCE_MISMATCH: { meaning: 'Columns of two different streaming frames were combined.', retriable: false },
  TS_FRAME_UNKNOWN_COLUMN: {
    meaning: 'No column of that name (the message lists the columns there are).',
    retriable: false,
  },
  // Node edges
  TS_FILE_WRITE: {
    meaning: 'Writing a file failed (a missing directory, a full disk); the system error is the `cause`.',
    retriable: true,
  },
  TS_FILE_READ: {
    meaning:
      'A file could not be opened or read (missing, unreadable, not the format expected); the system error is the `cause`.',
    retriable: true,
  },
  TS_PARQUET_SCHEMA_DRIFT: {
    meaning:
      'A record written to Parquet has a field the schema fixed by the first batch lacks, or a value of another type (the message names the field and row).',
    retriable: false,
  },
  TS_BAD_RECORD: {
    meaning:
      'A line of a CSV or JSON Lines file could not be parsed (the message names the file and line); it goes to the error branch and the stream goes on.',
    retriable: false,
  },
  TS_SINK_CLOSED: { meaning: 'An element reached a file sink after it was closed.', retriable: false },
  TS_NULL_ELEMENT: { meaning: '`toReadable` met a null element, which a Node stream cannot carry.', retriable: false },
  TS_RENDER_FAILED: { meaning: '`visualize` could not run graphviz `dot`.', retriable: false },
  TS_GATHER_WITHOUT_SCATTER: {
    meaning: '`gather()` is not on a single path down from a `scatter()`.',
    retriable: false,
  },
  TS_SCATTER_FUNCTION: {
    meaning: "A stage's function cannot be sent to a worker thread (it uses variables around it).",
    retriable: false,
  },
  TS_SCATTER_GATHERED: { meaning: 'A `scatter()` node already has its `gather()`.', retriable: false },
  TS_SCATTER_OPEN: {
    meaning: 'A `scatter()` node received an element before `gather()` was called after its stages.',
    retriable: false,
  },
  TS_SCATTER_STAGE: {
    meaning: 'The stages between `scatter()` and `gather()` branch; they must form one chain.',
    retriable: false,
  },
  TS_WORKER_FAILED: {
    meaning:
      'A stage failed on a worker thread, or an element could not go through the pool; the error is the `cause`.',
    retriable: false,
  },
  TS_WORKER_TASK_MAIN_THREAD: {
    meaning: 'A `workerTask` was called outside a worker thread (it runs only between `scatter()` and `gather()`).',
    retriable: false,
  },
  // State
  TS_STATE_CLOSED: { meaning: 'A state store was used after it was closed.', retriable: false },
  TS_STATE_OPEN: {
    meaning: 'A state store could not be opened (its path, its permissions); the cause says why.',
    retriable: true,
  },
  TS_TX_CLOSED: { meaning: 'A state transaction was used after it was committed or aborted.', retriable: false },
  // Kafka, MQTT, S3
  TS_KAFKA_ADMIN: { meaning: 'An administrative request to Kafka (creating a topic) failed.', retriable: true },
  TS_KAFKA_AUTH: { meaning: 'The broker refused the credentials (SASL).', retriable: false },
  TS_KAFKA_BAD_TIMESTAMP: {
    meaning: 'A timestamp extractor failed or gave no valid timestamp for a message (dead-lettered).',
    retriable: false,
  },
  TS_KAFKA_COMMIT: { meaning: "Committing the group's offsets failed.", retriable: true },
  TS_KAFKA_CONNECT: {
    meaning:
      'No bootstrap broker could be reached when a client first connected: the connection was refused (ECONNREFUSED) or the host name did not resolve (ENOTFOUND); the message names each address and its cause. Check `brokers`.',
    retriable: true,
  },
  TS_KAFKA_CONSUME: {
    meaning: 'Fetching messages failed (the broker away or restarting); sources retry it for a while first.',
    retriable: true,
  },
  TS_KAFKA_DESERIALIZE: {
    meaning: "A message's key or value could not be deserialized (dead-lettered with the reason).",
    retriable: false,
  },
  TS_KAFKA_PROCESSING: {
    meaning: "Processing a message failed with an error that had no code of its own (the dead letter's code).",
    retriable: false,
  },
  TS_KAFKA_PRODUCE: { meaning: 'Sending messages to Kafka failed.', retriable: true },
  TS_KAFKA_REFUSED: {
    meaning:
      "The in-memory cluster (`MemoryKafka`) refused a request as a broker would: a member that left its group or an older generation (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION), a producer fenced by a newer one with its transactional id, a closed or killed client, a partition that does not exist. The broker's name for the error is in the message.",
    retriable: false,
  },
  TS_KAFKA_SERIALIZE: { meaning: 'A value could not be serialized for Kafka.', retriable: false },
  TS_KAFKA_TIMEOUT: {
    meaning: 'A request to Kafka did not finish in time (the message says what to check).',
    retriable: true,
  },
  TS_KAFKA_TLS: {
    meaning: 'The TLS handshake with the broker failed (certificate, host name, protocol).',
    retriable: false,
  },
  TS_KAFKA_TOO_LARGE: {
    meaning: 'A message is larger than `maxMessageBytes` (dead-lettered without its value).',
    retriable: false,
  },
  TS_KAFKA_TRANSACTION: {
    meaning: 'An exactly-once transaction failed to begin, send or commit; its work is aborted and read again.',
    retriable: true,
  },
  TS_SCHEMA_REGISTRY: { meaning: 'A request to the schema registry failed.', retriable: true },
  TS_SCHEMA_UNKNOWN_ID: { meaning: 'A message names a schema id the registry does not know.', retriable: false },
  TS_POSTGRES: {
    meaning: 'A PostgreSQL query, COPY or connection failed (the message never contains the password).',
    retriable: true,
  },
  TS_POSTGRES_NO_OFFSET: {
    meaning:
      'A `toPostgres` sink writing Kafka positions (`offsets`) received an element that carries no Kafka offset (one made by a window, or not from Kafka).',
    retriable: false,
  },
  TS_PROCESS_SPAWN: {
    meaning: 'The command of `Stream.fromProcess` could not be started (not found, not executable).',
    retriable: false,
  },
  TS_PROCESS_EXIT: {
    meaning: 'The command of `Stream.fromProcess` exited with a non-zero code or was ended by a signal.',
    retriable: true,
  },
  TS_REDIS: {
    meaning: 'A Redis command or connection failed (the message never contains the password).',
    retriable: true,
  },
  TS_MQTT_CONNECT: { meaning: 'Connecting to the MQTT broker failed.', retriable: true },
  TS_MQTT_PUBLISH: { meaning: 'Publishing to the MQTT broker failed.', retriable: true },
  TS_MQTT_SUBSCRIBE: { meaning: 'Subscribing on the MQTT broker failed or was refused.', retriable: true },
  TS_NET_LISTEN: {
    meaning: 'A network source could not listen on its host and port (in use, or not allowed).',
    retriable: true,
  },
  TS_UNSENDABLE_ELEMENT: {
    meaning:
      'A network sink met an element it cannot send: not JSON-serialisable, or its topic function gave no valid topic.',
    retriable: false,
  },
  TS_WEBSOCKET_SEND: {
    meaning:
      'A `toWebSocket` sink could not connect, or lost its connection (WebSocket has no acknowledgement to resend from).',
    retriable: true,
  },
  TS_HTTP_POST: {
    meaning:
      'A `toHttp` sink gave up on a batch: the server kept failing (5xx, 429, no answer) past the retries, or refused it (4xx).',
    retriable: true,
  },
  TS_S3_ERROR: {
    meaning: 'A request to S3 failed (the message names the operation, bucket and key).',
    retriable: true,
  },
  // Kafka applications
  TS_APP_NO_STREAMS: {
    meaning: '`Application.run` was called before any input stream was declared.',
    retriable: false,
  },
  TS_APP_RUNNING: { meaning: '`Application.run` was called while the application runs.', retriable: false },
  TS_APP_COPARTITION: {
    meaning:
      'A topic join (`joinLookup`) joins topics that are not co-partitioned: their partition counts differ, so partition p of one has no partition p of the other.',
    retriable: false,
  },
  TS_APP_STATE: {
    meaning:
      "The application's state cannot be used: two stateful nodes share a namespace, the state is closed, or a restore was stopped.",
    retriable: false,
  },
  TS_APP_NOT_CHECKPOINTABLE: {
    meaning:
      'An application with state has a node that keeps records or state between elements but cannot checkpoint them (a restore would lose them): replace the node, or run without state.',
    retriable: false,
  },
  TS_APP_NO_CHANGELOG: {
    meaning:
      'An exactly-once application was given `changelog: false` while its graph keeps state or records (windows, accumulate, zip...): that state would not commit with the outputs, so a rebalance or restart would count records twice. Keep the changelog, or use at-least-once.',
    retriable: false,
  },
  TS_ZIP_OVERFLOW: {
    meaning:
      'In an application (one consumer feeds every input), a `zip` input held more than `maxsize` elements while another input had none: waiting would stall the consumer for good. Raise `maxsize` above how far one topic runs ahead of the other.',
    retriable: false,
  },
  // Simulation
  TS_SIM_ALREADY_RUNNING: { meaning: '`run()` was called on an environment that is running.', retriable: false },
  TS_SIM_ALREADY_TRIGGERED: { meaning: 'An event was triggered twice.', retriable: false },
  TS_SIM_BAD_AMOUNT: { meaning: 'A container `put`/`get` amount is not a finite number > 0.', retriable: false },
  TS_SIM_BAD_CAPACITY: { meaning: 'A resource capacity is not valid.', retriable: false },
  TS_SIM_BAD_CONDITION: { meaning: 'A condition was given something that is not an event.', retriable: false },
  TS_SIM_BAD_DELAY: { meaning: 'A timeout delay is not a finite number >= 0.', retriable: false },
  TS_SIM_BAD_DISTRIBUTION: { meaning: 'A distribution or its parameters are not valid.', retriable: false },
  TS_SIM_BAD_EXPRESSION: {
    meaning:
      'A model expression does not parse (the message names the offset and what was expected) or cannot be evaluated (a missing attribute or payload field, a division by zero).',
    retriable: false,
  },
  TS_SIM_BAD_EGRESS: {
    meaning: 'The egress is misconfigured or a router returned no valid destination.',
    retriable: false,
  },
  TS_SIM_BAD_LEVEL: { meaning: "A container's initial level is outside 0 to its capacity.", retriable: false },
  TS_SIM_BAD_MODEL: {
    meaning: "A model file cannot be read or is not valid (the message names each bad field's path and line).",
    retriable: false,
  },
  TS_SIM_BAD_PARAMETER: { meaning: 'A live parameter registration is not valid.', retriable: false },
  TS_SIM_BAD_ROUTE: { meaning: 'A path router returned no valid destination path.', retriable: false },
  TS_SIM_BAD_SEED: { meaning: 'A sampler seed is not an integer from 1 to 4294967295.', retriable: false },
  TS_SIM_BAD_STATE: { meaning: 'A saved sampler state is not what `saveState()` gives.', retriable: false },
  TS_SIM_BAD_UNTIL: { meaning: '`run({ until })` was given neither an event nor a time after now.', retriable: false },
  TS_SIM_BAD_UPDATE: {
    meaning: 'A parameter update from outside (Kafka, MQTT) is malformed (rejected, the run goes on).',
    retriable: false,
  },
  TS_SIM_BAD_YIELD: { meaning: 'A process yielded something that is not an event.', retriable: false },
  TS_SIM_BEYOND_CAPACITY: {
    meaning: 'A container request can never be served: it exceeds the capacity.',
    retriable: false,
  },
  TS_SIM_EGRESS_CLOSED: { meaning: 'A record was published after the egress was torn down.', retriable: false },
  TS_SIM_EMPTY_SCHEDULE: { meaning: '`step()` was called with no event scheduled.', retriable: false },
  TS_SIM_EVENT_PENDING: { meaning: 'The value of an event was read before it was triggered.', retriable: false },
  TS_SIM_EVENT_PROCESSED: { meaning: 'A callback was added to an event already processed.', retriable: false },
  TS_SIM_MIXED_ENVIRONMENTS: { meaning: 'A condition mixes events of different environments.', retriable: false },
  TS_SIM_NOT_A_GENERATOR: {
    meaning: '`process()` was given something that is not a generator object.',
    retriable: false,
  },
  TS_SIM_NOT_IN_CONDITION: {
    meaning: "An event was looked up in a condition's value it is not part of.",
    retriable: false,
  },
  TS_SIM_PROCESS_TERMINATED: { meaning: 'A process that has terminated was interrupted.', retriable: false },
  TS_SIM_RESOURCE_DESTROYED: { meaning: 'A resource was used after it was destroyed.', retriable: false },
  TS_SIM_SCHEMA_DRIFT: {
    meaning: 'A record has a field the schema fixed by the first batch lacks (Parquet egress).',
    retriable: false,
  },
  TS_SIM_SELF_INTERRUPT: { meaning: 'A process tried to interrupt itself.', retriable: false },
  TS_HANDLER_BAD_CONFIG: {
    meaning: "A data stream handler's `{ type, config }` is not valid (an unknown type lists the known ones).",
    retriable: false,
  },
  TS_HANDLER_BAD_FILE: {
    meaning:
      "A handler's CSV or Parquet file cannot be read, or a cell is not a number; the message names the file, row and column.",
    retriable: false,
  },
  TS_HANDLER_BAD_MESSAGE: {
    meaning: "A live handler's message (Kafka or MQTT) has no usable time or values; it is counted and skipped.",
    retriable: false,
  },
  TS_HANDLER_BEHIND: {
    meaning: "A live handler has no data up to the asked time within its wait, under `whenBehind: 'error'`.",
    retriable: true,
  },
  TS_HANDLER_NOT_STARTED: {
    meaning: 'A live handler was asked for data before `start()`.',
    retriable: false,
  },
  TS_BAD_LAYOUT: {
    meaning: 'A pipe layout is not `dtype_width` with a known dtype and a width >= 1.',
    retriable: false,
  },
  TS_PIPE_TIMESTAMPS: {
    meaning:
      "A block's timestamps are not finite integers strictly increasing within it and after the last written; the block is refused whole.",
    retriable: false,
  },
  TS_PIPE_BAD_BLOCK: {
    meaning:
      "A block does not match its pipe's layout, or a row read for a pipe is malformed; the message names the row.",
    retriable: false,
  },
  TS_PIPE_CLOSED: {
    meaning: 'A pipe was written after it was closed.',
    retriable: false,
  },
  TS_PIPE_FAILED: {
    meaning: 'The pipe was failed by its writer or its connection; the error is the `cause`.',
    retriable: false,
  },
  TS_PIPE_FULL: {
    meaning: '`writeNow` found the reader holding `writeLimit` unconsumed rows: wait (`write`) or read first.',
    retriable: true,
  },
  TS_PIPE_NOWAIT: {
    meaning: '`writeNow` cannot complete because a subscriber can only be written asynchronously.',
    retriable: false,
  },
  TS_PIPE_EMPTY: {
    meaning: 'A read found no data and the pipe is closed: the stream has ended.',
    retriable: false,
  },
  TS_PIPE_OVERFLOW: {
    meaning: '`readAll` found more than `maxRows` rows with `errorOnOverflow` set.',
    retriable: false,
  },
  TS_PIPE_AUTH: {
    meaning: "A remote pipe's peer sent a wrong or missing token.",
    retriable: false,
  },
  TS_PIPE_FRAME: {
    meaning: 'A remote pipe frame or HTTP body is malformed or larger than its cap.',
    retriable: false,
  },
  TS_PIPE_DISCONNECTED: {
    meaning: 'A remote pipe lost its connection and could not reconnect in time.',
    retriable: true,
  },
  TS_PIPE_BAD_REQUEST: {
    meaning: "A remote pipe's HTTP request uses a method the server does not serve (GET reads, POST writes).",
    retriable: false,
  },
  TS_PIPE_UNKNOWN_STREAM: {
    meaning: 'A remote pipe asked for a stream or route the server does not have.',
    retriable: false,
  },
  TS_MODULE_FAILED: {
    meaning: 'A module run as a child process exited with an error; the message holds its exit code and stderr.',
    retriable: false,
  },
  TS_STORE_LAYOUT: {
    meaning: 'A stored stream exists with another layout than the one asked.',
    retriable: false,
  },
  TS_STORE_NO_STREAM: {
    meaning: 'The stream store has no stream at that path.',
    retriable: false,
  },
  TS_STORE_OVERLAP: {
    meaning: 'A block falls inside data the store already holds for that stream; refused whole, naming both ranges.',
    retriable: false,
  },
  TS_SIM_BAD_MEASURE: {
    meaning: "A replication measure is not one of the model's statistics; the message lists the known ones.",
    retriable: false,
  },
  TS_SIM_REPLICATION_FAILED: {
    meaning:
      'A replication threw, in a worker thread, in the main thread or on a Kafka worker; the error is the `cause` (or, from a Kafka worker, its message).',
    retriable: false,
  },
  TS_SIM_REPLICATION_TIMEOUT: {
    meaning:
      'Replications over Kafka: no new result came back for the result timeout (no worker reads the work topic, or every one is stuck).',
    retriable: true,
  },
  TS_SIM_WORK_ITEM_TOO_LARGE: {
    meaning:
      'Replications over Kafka: a work item (the model with its replayed arrivals) is larger than a Kafka message holds by default.',
    retriable: false,
  },
  TS_SIM_BAD_DATA: {
    meaning: 'The data to fit cannot be read, or its column is missing; the message lists the columns.',
    retriable: false,
  },
  TS_SIM_BAD_EXPERIMENT: {
    meaning: 'An experiment file, one of its variant paths or one of its checks is not valid.',
    retriable: false,
  },
  TS_SIM_TIME_STALLED: {
    meaning:
      "A process kept scheduling itself with positive delays that no longer advance simulated time (a delay far below the clock's resolution at this time); the message names the process.",
    retriable: false,
  },
  TS_SIM_TOO_SLOW: {
    meaning: 'A strict real-time run fell behind the wall clock by more than `maxLag`.',
    retriable: true,
  },
  TS_SIM_UNKNOWN_PARAMETER: {
    meaning: 'A parameter path is not valid or names no registered parameter.',
    retriable: false,
  },
  TS_SIM_UNTIL_NOT_TRIGGERED: {
    meaning: 'The run ran out of events before the `until` event was triggered.',
    retriable: false,
  },
  // Declarative pipelines
  TS_PIPELINE_BAD_SPEC: {
    meaning:
      'A pipeline file cannot be read or is not valid (the message names each bad path, such as steps[2].window.grace, its line and what is accepted there).',
    retriable: false,
  },
  // The command line
  TS_CLI_BAD_OUT: {
    meaning: 'The output folder given to a command (`--out`) cannot be created or written; the message names it.',
    retriable: false,
  },
} as const satisfies Record<string, { readonly meaning: string; readonly retriable: boolean }>;

/** The code of a `TwinstreamError`: one of {@link ERROR_CODES}. */
export type TwinstreamErrorCode = keyof typeof ERROR_CODES;
