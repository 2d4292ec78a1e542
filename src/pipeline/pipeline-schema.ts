import { FORBIDDEN_KEYS } from '../sim/parameter-value.ts';
import { toMillis } from '../time/duration.ts';

type Zod = typeof import('zod').z;

/**
 * The kinds of input, step and output a pipeline file may name (docs/pipelines.md).
 *
 * @example
 * import { INPUT_TYPES } from 'twinstream/pipeline';
 * INPUT_TYPES.includes('mqtt'); // true
 */
export const INPUT_TYPES = [
  'csv',
  'jsonl',
  'parquet',
  'tail',
  'http',
  'websocket',
  'tcp',
  'mqtt',
  'kafka',
  'postgres',
  'redis',
  'sim',
] as const;
/**
 * @example
 * STEP_KINDS.join(', '); // 'filter, map, select, rename, window, resample, join, deadLetter'
 */
export const STEP_KINDS = ['filter', 'map', 'select', 'rename', 'window', 'resample', 'join', 'deadLetter'] as const;
/**
 * @example
 * OUTPUT_TYPES.includes('dashboard'); // true
 */
export const OUTPUT_TYPES = [
  'console',
  'jsonl',
  'parquet',
  's3',
  'kafka',
  'mqtt',
  'postgres',
  'redis',
  'dashboard',
] as const;
/**
 * The aggregates a window step names.
 * @example
 * AGGREGATES.includes('percentile'); // true
 */
export const AGGREGATES = [
  'count',
  'sum',
  'mean',
  'min',
  'max',
  'var',
  'std',
  'first',
  'last',
  'earliest',
  'latest',
  'median',
  'percentile',
] as const;
/**
 * @example
 * RESAMPLE_METHODS[0]; // 'previous'
 */
export const RESAMPLE_METHODS = ['previous', 'next', 'nearest', 'linear'] as const;

const oneOf = (what: string, list: readonly string[]) => `expected ${what} to be one of ${list.join(', ')}`;

/**
 * The zod schema of a pipeline file, built on first use so that zod loads only when a pipeline is read. Not an
 * export of the package: the types below are inferred from it.
 *
 * @example
 * const schema = pipelineSchema((await import('zod')).z);
 */
export function pipelineSchema(z: Zod) {
  const notForbidden = { error: `expected a name other than ${[...FORBIDDEN_KEYS].join(', ')}` };
  const name = z
    .string({ error: 'expected a name' })
    .regex(/^[A-Za-z0-9_-]+$/, { error: 'expected a name of letters, digits, _ and -' })
    .refine((n) => !FORBIDDEN_KEYS.has(n), notForbidden);
  // A field of a record: any text but the names that would reach a prototype.
  const field = z
    .string({ error: 'expected a field name' })
    .min(1, { error: 'expected a field name' })
    .refine((n) => !FORBIDDEN_KEYS.has(n), notForbidden);
  // A function exported by the functions module: an identifier, looked up by name, never evaluated.
  const fn = z
    .string({ error: 'expected the name of a function exported by the functions module' })
    .regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/, { error: 'expected a function name (letters, digits, _ and $)' })
    .refine((n) => !FORBIDDEN_KEYS.has(n), notForbidden);
  const path = z
    .string({ error: 'expected a file path' })
    .min(1, { error: 'expected a file path' })
    .max(1024, { error: 'expected a path of at most 1024 characters' });
  const duration = z.union([z.number(), z.string()], { error: 'expected a duration' }).refine(
    (v) => {
      try {
        toMillis(v);
        return true;
      } catch {
        return false;
      }
    },
    { error: 'expected a duration: milliseconds (a number >= 0) or a string such as "250ms", "10s", "5m", "2h", "1d"' },
  );
  const port = z
    .int({ error: 'expected a port number' })
    .min(0, { error: 'expected a port from 0 (any free port) to 65535' })
    .max(65535, { error: 'expected a port from 0 (any free port) to 65535' });
  const host = z.string().min(1, { error: 'expected a host name or address' });
  const brokers = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
    error: 'expected "host:port", a comma-separated list of them, or a list',
  });
  const url = (schemes: string) =>
    z.string({ error: `expected a URL (${schemes})` }).regex(new RegExp(`^(${schemes})://`), {
      error: `expected a URL starting with ${schemes.split('|').join('://, ')}://`,
    });
  const limit = z.int({ error: 'expected an integer' }).positive({ error: 'expected an integer > 0' });
  // Database addresses: a password comes through `${VAR}`, and no message below repeats the value.
  const postgresUrl = url('postgres|postgresql');
  const redisUrl = url('redis|rediss');
  const redisKey = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
  const base = { name: name.optional(), limit: limit.optional() };

  const input = z.discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('csv'), path, delimiter: z.string().length(1).optional(), ...base }),
      z.strictObject({ type: z.literal('jsonl'), path, ...base }),
      z.strictObject({ type: z.literal('parquet'), path, columns: z.array(field).optional(), ...base }),
      z.strictObject({
        type: z.literal('tail'),
        path,
        format: z.enum(['lines', 'json'], { error: 'expected "lines" or "json"' }).optional(),
        follow: z.boolean().optional(),
        fromEnd: z.boolean().optional(),
        pollInterval: duration.optional(),
        ...base,
      }),
      z.strictObject({
        type: z.literal('http'),
        host: host.optional(),
        port,
        path: z.string().startsWith('/', { error: 'expected a URL path starting with /' }).optional(),
        ...base,
      }),
      z
        .strictObject({
          type: z.literal('websocket'),
          url: url('ws|wss').optional(),
          host: host.optional(),
          port: port.optional(),
          path: z.string().startsWith('/', { error: 'expected a URL path starting with /' }).optional(),
          value: z.enum(['json', 'string'], { error: 'expected "json" or "string"' }).optional(),
          ...base,
        })
        .refine((w) => (w.url === undefined) !== (w.port === undefined), {
          error: 'expected either url (connect to a server) or port (be the server), not both or neither',
        }),
      z.strictObject({
        type: z.literal('tcp'),
        host: host.optional(),
        port,
        framing: z.enum(['lines', 'ndjson'], { error: 'expected "lines" or "ndjson"' }).optional(),
        ...base,
      }),
      z.strictObject({
        type: z.literal('mqtt'),
        url: url('mqtt|mqtts|ws|wss'),
        topic: z.string().min(1, { error: 'expected a topic filter such as plant/+/temperature' }),
        qos: z.union([z.literal(0), z.literal(1)], { error: 'expected 0 or 1' }).optional(),
        value: z.enum(['json', 'string'], { error: 'expected "json" or "string"' }).optional(),
        clientId: z.string().min(1).optional(),
        ...base,
      }),
      z.strictObject({
        type: z.literal('kafka'),
        brokers,
        topic: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
          error: 'expected a topic or a list of topics',
        }),
        groupId: z.string().min(1, { error: 'expected a consumer group id' }),
        autoOffsetReset: z.enum(['earliest', 'latest'], { error: 'expected "earliest" or "latest"' }).optional(),
        value: z.enum(['json', 'string'], { error: 'expected "json" or "string"' }).optional(),
        clientId: z.string().min(1).optional(),
        ...base,
      }),
      z.strictObject({
        type: z.literal('postgres'),
        url: postgresUrl,
        query: z
          .string({ error: 'expected a table name or a select query' })
          .min(1, { error: 'expected a table name or a select query' }),
        cursor: field.optional(),
        pollInterval: duration.optional(),
        batchSize: limit.optional(),
        ...base,
      }),
      z
        .strictObject({
          type: z.literal('redis'),
          url: redisUrl,
          stream: redisKey('a stream key').optional(),
          group: redisKey('a consumer group name').optional(),
          consumer: redisKey('a consumer name').optional(),
          start: z.enum(['0', '$'], { error: 'expected "0" (the whole stream) or "$" (new entries only)' }).optional(),
          channel: redisKey('a channel name or pattern').optional(),
          value: z.enum(['json', 'string'], { error: 'expected "json" or "string"' }).optional(),
          ...base,
        })
        .check((ctx) => {
          const r = ctx.value;
          const issue = (path: string, message: string) =>
            ctx.issues.push({ code: 'custom', input: r, path: [path], message });
          if ((r.stream === undefined) === (r.channel === undefined)) {
            issue('stream', 'expected either stream (with group) or channel (Pub/Sub), not both or neither');
          } else if (r.stream !== undefined) {
            if (r.group === undefined) issue('group', 'expected group (a consumer group name) to read a stream');
            if (r.value !== undefined) issue('value', 'expected value only with channel (stream entries are fields)');
          } else {
            for (const k of ['group', 'consumer', 'start'] as const) {
              if (r[k] !== undefined) issue(k, `expected ${k} only with stream (Pub/Sub has no consumer group)`);
            }
          }
        }),
      z.strictObject({
        type: z.literal('sim'),
        model: path,
        until: z.union([z.number().positive(), z.string()], { error: 'expected seconds or a duration' }).optional(),
        seed: z.int().min(1).max(4294967295).optional(),
        factor: z.number().min(0).optional(),
        streams: z.array(z.enum(['telemetry', 'event'], { error: 'expected "telemetry" or "event"' })).optional(),
        ...base,
      }),
    ],
    { error: oneOf('type', INPUT_TYPES) },
  );

  const aggregate = z.union(
    [
      z.enum(AGGREGATES, { error: oneOf('the aggregate', AGGREGATES) }),
      z.strictObject({
        fn: z.enum(AGGREGATES, { error: oneOf('fn', AGGREGATES) }),
        field: field.optional(),
        p: z.number().min(0).max(100, { error: 'expected a percentile from 0 to 100' }).optional(),
      }),
    ],
    { error: `${oneOf('the aggregate', AGGREGATES)}, or { fn, field, p }` },
  );
  const window = z
    .strictObject({
      kind: z
        .enum(['tumbling', 'hopping', 'sliding', 'session'], {
          error: 'expected kind to be one of tumbling, hopping, sliding, session',
        })
        .optional(),
      size: duration.optional(),
      step: duration.optional(),
      gap: duration.optional(),
      grace: duration.optional(),
      key: field.optional(),
      value: field.optional(),
      timestamp: field.optional(),
      aggregate: z
        .record(name, aggregate)
        .refine((a) => Object.keys(a).length > 0, { error: 'expected at least one aggregate' }),
      emit: z.enum(['final', 'current'], { error: 'expected "final" or "current"' }).optional(),
    })
    .check((ctx) => {
      const w = ctx.value;
      const kind = w.kind ?? 'tumbling';
      const need = (key: 'size' | 'step' | 'gap', why: string) => {
        if (w[key] === undefined) ctx.issues.push({ code: 'custom', input: w, path: [key], message: why });
      };
      if (kind === 'session') need('gap', 'expected gap (a duration): a session window ends after a gap');
      else need('size', `expected size (a duration) for a ${kind} window`);
      if (kind === 'hopping') need('step', 'expected step (a duration): a hopping window starts one every step');
      for (const [out, a] of Object.entries(w.aggregate)) {
        const fnName = typeof a === 'string' ? a : a.fn;
        if (fnName === 'percentile' && (typeof a === 'string' || a.p === undefined)) {
          ctx.issues.push({
            code: 'custom',
            input: a,
            path: ['aggregate', out],
            message: 'expected { fn: percentile, p: <0 to 100> }: a percentile needs p',
          });
        }
      }
    });
  const resample = z.strictObject({
    every: duration,
    fields: z.array(field).min(1, { error: 'expected at least one field to resample' }),
    method: z.enum(RESAMPLE_METHODS, { error: oneOf('method', RESAMPLE_METHODS) }).optional(),
    key: field.optional(),
    timestamp: field.optional(),
  });
  const join = z
    .strictObject({
      with: name,
      kind: z.enum(['asof', 'interval'], { error: 'expected "asof" or "interval"' }).optional(),
      key: field.optional(),
      timestamp: field.optional(),
      grace: duration.optional(),
      how: z.enum(['inner', 'left'], { error: 'expected "inner" or "left"' }).optional(),
      backward: duration.optional(),
      forward: duration.optional(),
    })
    .check((ctx) => {
      const j = ctx.value;
      if ((j.kind ?? 'asof') !== 'interval') return;
      for (const key of ['backward', 'forward'] as const) {
        if (j[key] === undefined) {
          ctx.issues.push({
            code: 'custom',
            input: j,
            path: [key],
            message: `expected ${key} (a duration) for an interval join`,
          });
        }
      }
    });

  const output = z.discriminatedUnion(
    'type',
    [
      z.strictObject({
        type: z.literal('console'),
        format: z.enum(['json', 'text'], { error: 'expected "json" or "text"' }).optional(),
      }),
      z.strictObject({ type: z.literal('jsonl'), path, rollRows: limit.optional() }),
      z.strictObject({
        type: z.literal('parquet'),
        path,
        rowGroupSize: limit.optional(),
        rollRows: limit.optional(),
        timestamps: z.array(field).optional(),
      }),
      z.strictObject({
        type: z.literal('s3'),
        bucket: z.string().min(3, { error: 'expected an S3 bucket name (3 to 63 characters)' }).max(63),
        path,
        format: z.enum(['jsonl', 'parquet'], { error: 'expected "jsonl" or "parquet"' }),
        prefix: z.string().max(1024).optional(),
        endpoint: z.url({ error: 'expected a URL such as http://127.0.0.1:9000' }).optional(),
        region: z.string().optional(),
        forcePathStyle: z.boolean().optional(),
        rollRows: limit.optional(),
      }),
      z.strictObject({
        type: z.literal('kafka'),
        brokers,
        topic: z.string().min(1, { error: 'expected a topic' }),
        key: field.optional(),
        clientId: z.string().min(1).optional(),
      }),
      z.strictObject({
        type: z.literal('mqtt'),
        url: url('mqtt|mqtts|ws|wss'),
        topic: z.string().min(1, { error: 'expected a topic' }),
        qos: z.union([z.literal(0), z.literal(1), z.literal(2)], { error: 'expected 0, 1 or 2' }).optional(),
        retain: z.boolean().optional(),
        clientId: z.string().min(1).optional(),
      }),
      z
        .strictObject({
          type: z.literal('postgres'),
          url: postgresUrl,
          table: z
            .string({ error: 'expected a table name' })
            .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/, {
              error: 'expected a table name (letters, digits and _, optionally schema.table)',
            }),
          mode: z.enum(['insert', 'upsert'], { error: 'expected "insert" or "upsert"' }).optional(),
          key: z.union([field, z.array(field).min(1)], { error: 'expected a column or a list of columns' }).optional(),
          createTable: z.boolean({ error: 'expected true or false' }).optional(),
          batchSize: limit.optional(),
          flushInterval: duration.optional(),
        })
        .refine((o) => o.mode !== 'upsert' || o.key !== undefined, {
          error: 'expected key (the column or columns of the conflict target) with mode: upsert',
          path: ['key'],
        }),
      z.strictObject({
        type: z.literal('redis'),
        url: redisUrl,
        stream: redisKey('a stream key'),
        maxLen: limit.optional(),
        batchSize: limit.optional(),
      }),
      z.strictObject({
        type: z.literal('dashboard'),
        title: z.string().optional(),
        host: host.optional(),
        port: port.optional(),
        fields: z.array(field).optional(),
        key: field.optional(),
        timestamp: field.optional(),
      }),
    ],
    { error: oneOf('type', OUTPUT_TYPES) },
  );

  // A step is an object with exactly one of the step kinds as its key.
  const step = z
    .strictObject(
      {
        filter: fn.optional(),
        map: fn.optional(),
        select: z.array(field).min(1, { error: 'expected at least one field' }).optional(),
        rename: z
          .record(field, field)
          .refine((r) => Object.keys(r).length > 0, { error: 'expected at least one old: new pair' })
          .optional(),
        window: window.optional(),
        resample: resample.optional(),
        join: join.optional(),
        deadLetter: output.optional(),
      },
      { error: `expected a step: an object with one key among ${STEP_KINDS.join(', ')}` },
    )
    .check((ctx) => {
      const keys = Object.keys(ctx.value).filter((k) => (ctx.value as Record<string, unknown>)[k] !== undefined);
      if (keys.length !== 1) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          path: [],
          message: `expected exactly one of ${STEP_KINDS.join(', ')} in a step; found ${keys.length === 0 ? 'none' : keys.join(', ')}`,
        });
      }
    });

  return (
    z
      .strictObject({
        name: name.optional(),
        description: z.string().optional(),
        functions: path.optional(),
        inputs: z.array(input, { error: 'expected a list of inputs' }).min(1, { error: 'expected at least one input' }),
        steps: z.array(step, { error: 'expected a list of steps' }).optional(),
        outputs: z
          .array(output, { error: 'expected a list of outputs' })
          .min(1, { error: 'expected at least one output' }),
      })
      // Also on a file with other problems (zod skips refinements then, unless told): every problem in one report.
      .superRefine((value, ctx) => crossReferences(value, ctx as never), { when: () => true } as never)
  );
}

interface Ctx {
  addIssue(issue: { code: 'custom'; input: unknown; path: (string | number)[]; message: string }): void;
}

type Loose = Record<string, any>;
const isObject = (x: unknown): x is Loose => x !== null && typeof x === 'object' && !Array.isArray(x);

// Names that refer to other parts of the file must exist there, once. Runs on whatever was read, valid or not, so
// it reads defensively.
function crossReferences(value: unknown, ctx: Ctx): void {
  if (!isObject(value)) return;
  const issue = (path: (string | number)[], input: unknown, message: string) =>
    ctx.addIssue({ code: 'custom', input, path, message });
  const inputs: unknown[] = Array.isArray(value.inputs) ? value.inputs : [];
  const steps: unknown[] = Array.isArray(value.steps) ? value.steps : [];
  const names = inputs.map((input, i) =>
    isObject(input)
      ? inputName({ type: String(input.type), name: typeof input.name === 'string' ? input.name : undefined }, i)
      : `input${i}`,
  );
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) issue(['inputs', i, 'name'], n, `expected a name no other input has ("${n}" is taken)`);
  });
  const joined = new Set<string>();
  steps.forEach((s, i) => {
    if (!isObject(s)) return;
    if ((s.filter !== undefined || s.map !== undefined) && value.functions === undefined) {
      issue(
        ['steps', i, s.filter !== undefined ? 'filter' : 'map'],
        s,
        'expected a functions module: add `functions: ./my-functions.js` at the top of the file',
      );
    }
    if (!isObject(s.join) || typeof s.join.with !== 'string') return;
    const other: string = s.join.with;
    if (!names.includes(other)) {
      issue(
        ['steps', i, 'join', 'with'],
        other,
        `"${other}" is not an input of this pipeline; expected one of: ${names.join(', ')}`,
      );
    } else if (joined.has(other)) {
      issue(
        ['steps', i, 'join', 'with'],
        other,
        `expected an input that no other join takes ("${other}" is joined already)`,
      );
    }
    joined.add(other);
  });
  if (names.length > 0 && names.every((n) => joined.has(n))) {
    issue(
      ['inputs'],
      inputs,
      'expected at least one input that is not joined: the steps start from the inputs no join takes',
    );
  }
}

/**
 * The name of input `i`: its `name`, else its type followed by its index (`csv0`).
 * @example
 * inputName({ type: 'csv' }, 0); // 'csv0'
 * @internal
 */
export function inputName(input: { name?: string | undefined; type: string }, i: number): string {
  return input.name ?? `${input.type}${i}`;
}

/** A validated pipeline file. */
export type PipelineSpec = import('zod').z.infer<ReturnType<typeof pipelineSchema>>;
/** One input of a pipeline file. */
export type PipelineInput = PipelineSpec['inputs'][number];
/** One step of a pipeline file. */
export type PipelineStep = NonNullable<PipelineSpec['steps']>[number];
/** One output of a pipeline file. */
export type PipelineOutput = PipelineSpec['outputs'][number];
