// Runs one variant of one workload in this (fresh) process: warm-up runs, then timed runs, one JSON line out.
//   node --expose-gc bench/core/<workload>.ts <variant> <N> <reps> <warmup>
export type Variant = (n: number) => () => unknown | Promise<unknown>;

export async function runVariant(variants: Record<string, Variant>): Promise<void> {
  const [variant, nArg, repsArg, warmArg] = process.argv.slice(2);
  const n = Number(nArg);
  const reps = Number(repsArg ?? 7);
  const warmup = Number(warmArg ?? 2);
  const make = variants[variant!];
  if (make === undefined) throw new Error(`unknown variant ${variant}; have ${Object.keys(variants).join(', ')}`);
  const { times, cpu, check } = await timeRuns(make(n), reps, warmup);
  process.stdout.write(`${JSON.stringify({ variant, n, times, cpu, check: String(check) })}\n`);
}

/**
 * Calls `run` `warmup + reps` times, each after a GC (with --expose-gc) and a pause, and times the last `reps`:
 * wall and CPU nanoseconds per run, and what the last run returned (to print, so that its work is not optimised
 * away).
 * @example
 * const { times, cpu, check } = await timeRuns(() => work(n), 7, 2);
 */
export async function timeRuns(
  run: () => unknown,
  reps: number,
  warmup: number,
): Promise<{ times: number[]; cpu: number[]; check: unknown }> {
  const times: number[] = [];
  // CPU time of this process (user + system) too: on a shared, loaded machine wall time also measures waiting
  // for a core, CPU time much less so.
  const cpu: number[] = [];
  let check: unknown;
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < warmup + reps; i++) {
    gc?.();
    // Let background GC and sweeping finish: the machine has two cores.
    await new Promise((r) => setTimeout(r, 30));
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    check = await run();
    const t1 = process.hrtime.bigint();
    const c1 = process.cpuUsage(c0);
    if (i >= warmup) {
      times.push(Number(t1 - t0));
      cpu.push((c1.user + c1.system) * 1000);
    }
  }
  return { times, cpu, check };
}
