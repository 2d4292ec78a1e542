// The zod schema of a model's tasks, signals and resource options, built with the primitives of validate.ts.

type Zod = typeof import('zod').z;
type Schema = import('zod').ZodType;

/** The primitives validate.ts builds and the task schema reuses. */
export interface SchemaParts {
  name: import('zod').ZodType<string>;
  seconds: import('zod').ZodType<number>;
  positive: Schema;
  nonNegative: Schema;
  distribution: Schema;
}

/**
 * The schemas of `tasks`, `signals`, a flow's `attributes` and `start`, and a resource's `queue`, `preempt`,
 * `queueLimit` and `breakdown`. Expressions are text here; `checkTasks` parses them and checks every name.
 *
 * @internal
 */
export function taskSchemas(z: Zod, p: SchemaParts) {
  const expression = z.string({ error: 'expected an expression (text)' }).min(1, { error: 'expected an expression' });
  // A number, or an expression such as `payload.quantity`.
  const amount = z.union([p.positive, expression], { error: 'expected a number > 0 or an expression' });
  // A duration (seconds, or '30 s'), or an expression such as `attr.limit`.
  const durationOrExpression = z.union([p.seconds, expression], {
    error: 'expected seconds, a duration such as "30 s", or an expression',
  });
  const transfer = z.strictObject({
    container: p.name.optional(),
    store: p.name.optional(),
    amount: amount.optional(),
    // A rank for a priority store: a number, an expression, or a list ordered element by element.
    priority: z
      .union([z.number().finite(), expression, z.array(z.union([z.number().finite(), z.string()])).min(1)], {
        error: 'expected a number, an expression or a list of numbers and strings',
      })
      .optional(),
    filter: expression.optional(),
    wait: z.boolean().optional(),
  });
  const next = z.union(
    [
      p.name,
      z.strictObject({
        when: z.array(z.strictObject({ condition: expression, task: p.name })).min(1),
        default: p.name.optional(),
      }),
      z.strictObject({
        weights: z.record(p.name, p.nonNegative).refine((w) => Object.values(w).some((x) => (x as number) > 0), {
          error: 'expected at least one weight > 0',
        }),
      }),
    ],
    { error: 'expected a task name, { when: [{ condition, task }], default }, or { weights: { <task>: weight } }' },
  );
  const after = p.seconds.optional();
  const action = z.union(
    [
      z.strictObject({
        fire: z
          .strictObject({
            signal: p.name,
            value: z.unknown().optional(),
            from: p.name.optional(),
            after,
            urgent: z.boolean().optional(),
          })
          .refine((f) => f.value === undefined || f.from === undefined, {
            error: 'expected a value or from (a signal or task to copy the outcome of), not both',
          }),
      }),
      z.strictObject({ spawn: z.strictObject({ task: p.name, after }) }),
      z.strictObject({
        interrupt: z.strictObject({ task: p.name, where: expression.optional(), cause: z.unknown().optional() }),
      }),
      z.strictObject({ path: z.string().min(1), value: z.unknown() }),
    ],
    { error: 'expected one of { fire }, { spawn }, { interrupt } or { path, value }' },
  );
  const running = z.strictObject({ task: p.name, where: expression.optional() });
  const wait: Schema = z.lazy(() =>
    z.union(
      [
        z.strictObject({ request: p.name }),
        z.strictObject({ running: running }),
        z.strictObject({ get: transfer }),
        z.strictObject({ put: transfer }),
        z.strictObject({ signal: p.name }),
        z.strictObject({ task: p.name }),
        z.strictObject({
          timeout: z.union([p.seconds, z.strictObject({ after: p.seconds, value: z.unknown().optional() })]),
        }),
        z.strictObject({ condition: expression }),
        z.strictObject({ any: z.record(p.name, wait) }),
        z.strictObject({ all: z.record(p.name, wait) }),
        z.strictObject({ atLeast: z.int().positive(), of: z.record(p.name, wait) }),
      ],
      {
        error:
          'expected one of { request }, { running }, { get }, { put }, { signal }, { task }, { timeout }, { condition }, { any }, { all }, { atLeast, of }',
      },
    ),
  );
  const task = z.strictObject({
    service: p.name.optional(),
    resource: z.union([p.name, z.array(p.name).min(1)]).optional(),
    keep: z.array(p.name).optional(),
    priority: z.union([z.number().finite(), expression]).optional(),
    preempt: z.boolean().optional(),
    patience: durationOrExpression.optional(),
    balk: expression.optional(),
    get: transfer.optional(),
    put: transfer.optional(),
    set: z.record(z.string(), z.unknown()).optional(),
    next: next.optional(),
    spawn: z.strictObject({ task: p.name, after }).optional(),
    signal: p.name.optional(),
    fail: expression.optional(),
    failReason: z.string().optional(),
    onFail: p.name.optional(),
    onInterrupt: z.enum(['resume', 'restart', 'abandon']).optional(),
    onInterruptNext: p.name.optional(),
    interrupt: z.strictObject({ task: p.name, where: expression.optional(), cause: z.unknown().optional() }).optional(),
    wait: wait.optional(),
    subscribe: z
      .union([z.strictObject({ signal: p.name }), z.strictObject({ task: p.name }), z.strictObject({ running })], {
        error: 'expected { signal }, { task } or { running }',
      })
      .optional(),
    on: z.array(action).optional(),
    payload: z.record(z.string(), z.unknown()).optional(),
    idField: z.string().min(1).optional(),
    itemField: z.string().min(1).optional(),
    attributes: z.array(z.string().min(1)).optional(),
  });
  const signal = z.strictObject({ once: z.boolean().optional(), on: z.array(action).optional() });
  const resourceOptions = {
    queue: z.enum(['fifo', 'lifo', 'priority'], { error: 'expected fifo, lifo or priority' }).optional(),
    preempt: z.boolean().optional(),
    queueLimit: z.int({ error: 'expected an integer' }).min(0).optional(),
    breakdown: z
      .strictObject({
        timeToFailure: p.distribution,
        repair: p.distribution,
        work: z.enum(['interrupt', 'finish']).optional(),
      })
      .optional(),
  };
  return { task, signal, resourceOptions, expression };
}
