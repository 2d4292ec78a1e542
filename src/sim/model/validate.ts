import { TwinstreamError } from '../../errors.ts';
import { copyParameterValue, FORBIDDEN_KEYS } from '../parameter-value.ts';
import { checkTasks } from './check-tasks.ts';
import { distributionSchema, simTimeSchema } from './distribution-schema.ts';
import { fromDesflow, isDesflowBlueprint } from './from-desflow.ts';
import { isTimeZone, modelTimeSchema } from './model-clock.ts';
import { checkStop } from './model-stop.ts';
import type { ModelSpec } from './spec.ts';
import { taskSchemas } from './task-schema.ts';
import { describeIssues } from './yaml-file.ts';

type Zod = typeof import('zod').z;

// The schema is built on first use: zod loads only when a model is validated.
let cached: ReturnType<typeof build> | null = null;

function build(z: Zod) {
  const finite = z.number({ error: 'expected a number' }).finite({ error: 'expected a finite number' });
  const positive = finite.gt(0, { error: 'expected a number > 0' });
  const nonNegative = finite.min(0, { error: 'expected a number >= 0' });
  // Simulated durations: seconds, or a duration string ('90s', '5m', '1h', '7d') turned into seconds here.
  const seconds = <S extends typeof finite>(schema: S) => simTimeSchema(z, schema);
  // `__proto__`, `constructor` and `prototype` are refused as names: as keys of a section they would be dropped
  // or reach a prototype.
  const notForbidden = {
    error: `expected a name other than ${[...FORBIDDEN_KEYS].join(', ')}`,
  };
  const name = z
    .string({ error: 'expected a name' })
    .regex(/^[A-Za-z0-9_-]+$/, { error: 'expected a name of letters, digits, _ and - (no dots)' })
    .refine((n) => !FORBIDDEN_KEYS.has(n), notForbidden);
  // A file path: long enough for any real one, short enough that the file system never refuses it for length.
  const path = z.string().min(1).max(1024, { error: 'expected a path of at most 1024 characters' });
  const distribution = distributionSchema(z);
  // A capacity may be unlimited: `.inf` in YAML, or "unlimited" (JSON has no infinity).
  const unlimited = z.union([
    z.custom<number>((v) => v === Number.POSITIVE_INFINITY),
    z.literal('unlimited').transform(() => Number.POSITIVE_INFINITY),
  ]);
  // Either capacity may be left out, as in desflow: `maxCap` defaults to `currentCap`, and `currentCap` to `maxCap`
  // or, with neither, to one unit for a resource and no limit for a container or a store.
  const capacity = {
    currentCap: z.union([nonNegative, unlimited], { error: 'expected a number >= 0, .inf or "unlimited"' }).optional(),
    maxCap: z.union([positive, unlimited], { error: 'expected a number > 0, .inf or "unlimited"' }).optional(),
  };
  const withDefaultCaps =
    (neither: number) =>
    <C extends { currentCap?: number | undefined; maxCap?: number | undefined }>(c: C, ctx: { issues: unknown[] }) => {
      const currentCap = c.currentCap ?? c.maxCap ?? neither;
      const maxCap = c.maxCap ?? currentCap;
      const issues = ctx.issues as object[];
      // A left-out maxCap takes currentCap, which may be 0; maxCap must be > 0.
      if (!(maxCap > 0)) {
        issues.push({
          code: 'custom',
          input: c.maxCap,
          path: ['maxCap'],
          message: `expected a number > 0, .inf or "unlimited" (without maxCap it is currentCap, ${currentCap})`,
        });
      } else if (currentCap > maxCap) {
        issues.push({
          code: 'custom',
          input: currentCap,
          path: ['currentCap'],
          message: `expected a number <= maxCap (${maxCap})`,
        });
      }
      return { ...c, currentCap, maxCap };
    };
  const tasks = taskSchemas(z, { name, seconds: seconds(nonNegative), positive, nonNegative, distribution });
  const amount = z.strictObject({ container: name, amount: positive.optional() });
  const streams = z.array(z.enum(['event', 'telemetry'], { error: 'expected "event" or "telemetry"' })).optional();
  const shaping = {
    streams,
    flatten: z.boolean().optional(),
    drop: z.array(z.string()).optional(),
    when: z.enum(['history', 'live', 'labels'], { error: 'expected "history", "live" or "labels"' }).optional(),
    batchSize: z.int().positive().optional(),
    flushInterval: seconds(positive).optional(),
  };
  const sink = z.discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('console'), ...shaping }),
      z.strictObject({ type: z.enum(['jsonl', 'parquet']), path: path.optional(), ...shaping }),
      z.strictObject({
        type: z.enum(['s3-jsonl', 's3-parquet']),
        bucket: z.string().min(3, { error: 'expected an S3 bucket name (3 to 63 characters)' }).max(63),
        prefix: z.string().max(1024).optional(),
        path: path.optional(),
        endpoint: z.url({ error: 'expected a URL such as http://127.0.0.1:9000' }).optional(),
        region: z.string().optional(),
        forcePathStyle: z.boolean().optional(),
        ...shaping,
      }),
      z.strictObject({
        type: z.literal('kafka'),
        brokers: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
          error: 'expected "host:port", a comma-separated list of them, or a list',
        }),
        topic: z.string().min(1).optional(),
        topics: z
          .strictObject({
            telemetry: z.string().min(1).nullable().optional(),
            event: z.string().min(1).nullable().optional(),
          })
          .optional(),
        clientId: z.string().min(1).optional(),
        compression: z.enum(['none', 'gzip', 'snappy', 'lz4', 'zstd']).optional(),
        partitions: z.int().positive().optional(),
        ...shaping,
      }),
    ],
    { error: 'expected type to be one of console, jsonl, parquet, s3-jsonl, s3-parquet, kafka' },
  );
  return z
    .strictObject({
      simId: name,
      description: z.string().optional(),
      arrival: z.record(name, distribution),
      service: z.record(name, distribution),
      resources: z
        .record(name, z.strictObject({ ...capacity, ...tasks.resourceOptions }).transform(withDefaultCaps(1)))
        .optional(),
      containers: z
        .record(
          name,
          z
            .strictObject({ ...capacity, init: nonNegative.optional() })
            .transform(withDefaultCaps(Number.POSITIVE_INFINITY)),
        )
        .optional(),
      stores: z
        .record(
          name,
          z
            .strictObject({ ...capacity, items: z.array(z.unknown()).optional(), priority: z.boolean().optional() })
            .transform(withDefaultCaps(Number.POSITIVE_INFINITY))
            .check((ctx) => {
              const s = ctx.value as { priority?: boolean; items?: unknown[] };
              if (s.priority !== true) return;
              (s.items ?? []).forEach((item, i) => {
                if (!Array.isArray(item) || item.length !== 2) {
                  ctx.issues.push({
                    code: 'custom',
                    input: item,
                    path: ['items', i],
                    message: 'expected a [priority, item] pair (the store is a priority store)',
                  });
                }
              });
            }),
        )
        .optional(),
      tasks: z.record(name, tasks.task).optional(),
      signals: z
        .union([
          z.record(name, tasks.signal),
          z.array(name).transform((l) => Object.fromEntries(l.map((n) => [n, {}]))),
        ])
        .optional(),
      variables: z
        .record(
          z.string().refine((n) => !FORBIDDEN_KEYS.has(n), notForbidden),
          z.unknown(),
        )
        .optional(),
      flows: z
        .array(
          z.strictObject({
            name,
            arrival: name,
            entity: name.optional(),
            limit: z.int({ error: 'expected an integer' }).positive({ error: 'expected an integer > 0' }).optional(),
            start: name.optional(),
            attributes: z.record(z.string(), z.unknown()).optional(),
            steps: z
              .array(
                z.strictObject({
                  resource: name.optional(),
                  service: name,
                  consume: z.array(amount).optional(),
                  produce: z.array(amount).optional(),
                  store: name.optional(),
                }),
              )
              .min(1, { error: 'expected at least one step' })
              .optional(),
          }),
        )
        .min(1, { error: 'expected at least one flow' }),
      schedule: z
        .array(z.strictObject({ at: seconds(nonNegative), path: z.string().min(1), value: z.unknown() }))
        .optional(),
      scenario: z
        .array(
          z
            .strictObject({
              at: seconds(nonNegative),
              path: z.string().min(1).optional(),
              value: z.unknown().optional(),
              record: z.record(z.string(), z.unknown()).optional(),
              interrupt: z
                .strictObject({ task: name, where: tasks.expression.optional(), cause: z.unknown().optional() })
                .optional(),
            })
            .refine((s) => s.path !== undefined || s.record !== undefined || s.interrupt !== undefined, {
              error: 'expected a path (with its value), a record, an interrupt, or more than one',
            }),
        )
        .optional(),
      entities: z
        .strictObject({
          numberFrom: z.int({ error: 'expected an integer' }).min(0, { error: 'expected an integer >= 0' }).optional(),
          spawned: z.enum(['copy', 'parent'], { error: 'expected copy or parent' }).optional(),
        })
        .optional(),
      telemetry: z.strictObject({ interval: seconds(positive) }).optional(),
      stats: z
        .strictObject({
          level: z
            .enum(['none', 'minimal', 'basic', 'typical', 'all'], {
              error: 'expected one of none, minimal, basic, typical, all',
            })
            .optional(),
          interval: seconds(positive).optional(),
        })
        .optional(),
      run: z.strictObject({
        until: seconds(positive),
        warmup: seconds(nonNegative).optional(),
        drain: z.union([z.boolean(), seconds(positive)]).optional(),
        factor: nonNegative.optional(),
        logicalStartTime: modelTimeSchema(z).optional(),
        timeZone: z
          .string()
          .refine(isTimeZone, { error: 'expected an IANA time zone such as Europe/Paris or UTC' })
          .optional(),
        goLiveAt: modelTimeSchema(z).optional(),
        localTimestamps: z.boolean().optional(),
        seed: z.int({ error: 'expected an integer' }).min(1).max(4294967295).optional(),
        stop: z
          .union([z.strictObject({ signal: name }), z.strictObject({ condition: z.string().min(1) })], {
            error: 'expected { signal: <name> } or { condition: "<expression>" }',
          })
          .optional(),
      }),
      egress: z
        .strictObject({
          batchSize: z.int().positive().optional(),
          flushInterval: seconds(positive).optional(),
          sinks: z.array(sink),
        })
        .optional(),
    })
    .check((ctx) => crossReferences(ctx as never));
}

interface Ctx {
  value: ModelSpec<number>;
  issues: { code: 'custom'; input: unknown; path: (string | number)[]; message: string }[];
}

// Names that refer to other parts of the model must exist there.
function crossReferences(ctx: Ctx): void {
  const m = ctx.value;
  // Own keys only: `toString` or `constructor` must not name a resource because every object has one.
  const known = (section: Record<string, unknown> | undefined, key: string) =>
    section !== undefined && Object.hasOwn(section, key);
  const ref = (ok: boolean, path: (string | number)[], kind: string, value: string, section?: object) => {
    if (ok) return;
    const names = section ? Object.keys(section) : [];
    ctx.issues.push({
      code: 'custom',
      input: value,
      path,
      message: `"${value}" is not a ${kind} of this model; expected one of: ${names.length ? names.join(', ') : `(none; add ${kind === 'service distribution' ? 'service' : `${kind.split(' ')[0]}s`} first)`}`,
    });
  };
  // At most a billion telemetry samples per run: a smaller interval stops advancing simulated time.
  const interval = m.telemetry?.interval;
  if (typeof interval === 'number' && typeof m.run.until === 'number' && interval < m.run.until / 1e9) {
    ctx.issues.push({
      code: 'custom',
      input: interval,
      path: ['telemetry', 'interval'],
      message: `expected an interval >= run.until / 1e9 (${m.run.until / 1e9}): at most a billion samples per run`,
    });
  }
  m.flows.forEach((f, i) => {
    ref(known(m.arrival, f.arrival), ['flows', i, 'arrival'], 'arrival distribution', f.arrival, m.arrival);
    if ((f.steps === undefined) === (f.start === undefined)) {
      ctx.issues.push({
        code: 'custom',
        input: f.name,
        path: ['flows', i],
        message: 'expected either steps (a list) or start (a task of tasks), not both or neither',
      });
    }
    f.steps?.forEach((s, j) => {
      const at = ['flows', i, 'steps', j];
      ref(known(m.service, s.service), [...at, 'service'], 'service distribution', s.service, m.service);
      if (s.resource !== undefined)
        ref(known(m.resources, s.resource), [...at, 'resource'], 'resource', s.resource, m.resources);
      if (s.store !== undefined) ref(known(m.stores, s.store), [...at, 'store'], 'store', s.store, m.stores);
      for (const op of ['consume', 'produce'] as const) {
        s[op]?.forEach((a, k) => {
          ref(known(m.containers, a.container), [...at, op, k, 'container'], 'container', a.container, m.containers);
        });
      }
    });
  });
  checkTasks(m, ctx.issues);
  checkStop(m, ctx.issues);
}

/**
 * The zod schema of a model (zod loaded on the first call), for its JSON Schema.
 *
 * @example
 * const schema = await modelSchema();
 * @internal
 */
export async function modelSchema() {
  const { z } = await import('zod');
  cached ??= build(z);
  return cached;
}

/**
 * Validates a model (an object parsed from YAML or JSON). An invalid model throws `TS_SIM_BAD_MODEL`: the message
 * lists every problem with its dot path (zod's `prettifyError`), and the YAML/JSON line when `lineOf` can tell it.
 *
 * @example
 * const spec = await validateModel(YAML.parse(text), 'line-a.yaml');
 * // or throws: line-a.yaml is not a valid model:
 * // ✖ expected a number >= 0
 * //   → at resources.lathe.currentCap (line 12)
 */
export async function validateModel(
  input: unknown,
  source = 'model',
  lineOf?: (path: readonly PropertyKey[]) => number | string | undefined,
): Promise<ModelSpec<number>> {
  const { z } = await import('zod');
  cached ??= build(z);
  // The model as data first, all of it: no `__proto__`, `constructor` or `prototype` key anywhere (zod's records
  // drop a `__proto__` entry in silence), nothing nested past what any model needs, no functions or instances.
  let unsafe: { code: 'custom'; input: unknown; path: (string | number)[]; message: string } | null = null;
  try {
    copyParameterValue(input, '');
  } catch (error) {
    const e = error as TwinstreamError;
    const at = (e.context?.at as (string | number)[] | undefined) ?? [];
    const message = e.message.startsWith(`${e.context?.path} `)
      ? e.message.slice(`${e.context?.path} `.length)
      : e.message;
    unsafe = { code: 'custom', input: undefined, path: at, message };
  }
  // A desflow blueprint, checked as data above, is translated into a model first.
  if (unsafe === null && isDesflowBlueprint(input)) input = fromDesflow(input, source, lineOf);
  const result = cached.safeParse(input);
  if (result.success && unsafe === null) return result.data as ModelSpec<number>;
  const issues = unsafe === null ? result.error!.issues : [unsafe, ...(result.error?.issues ?? [])];
  const text = describeIssues(z, issues, lineOf);
  throw new TwinstreamError('TS_SIM_BAD_MODEL', `${source} is not a valid model:\n${text}`, {
    context: { source, issues },
  });
}
