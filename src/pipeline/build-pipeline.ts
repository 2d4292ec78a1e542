import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import '../core/operators/union.ts';
import { whenGraphIdle } from '../core/idle.ts';
import { Stream } from '../core/stream.ts';
import type { LoadedPipeline } from './load-pipeline.ts';
import { specError } from './load-pipeline.ts';
import { type BuiltInput, createInput } from './pipeline-inputs.ts';
import { type BuiltOutput, createOutput } from './pipeline-outputs.ts';
import { inputName } from './pipeline-schema.ts';
import { applyStep } from './pipeline-steps.ts';

/** What a dead-letter step writes for each element it takes: which step refused it, why, and the element. */
export interface DeadLetterRecord {
  /** Where it was refused: `steps[1] map`, an input's name, ... */
  step: string;
  /** The error code (`TS_BAD_TIMESTAMP`, `TS_BAD_RECORD`, ...), or `late` for a window that had closed. */
  reason: string;
  message: string;
  /** The element, or the first bytes of input that could not be read. */
  value: unknown;
  /** When it was refused (ISO 8601, wall clock). */
  time: string;
}

/** Where a built pipeline's outputs go and how the console prints. */
export interface BuildPipelineOptions {
  /** The folder output paths are relative to (default: the current folder). */
  outDir?: string;
  /** Where the console output prints (default `console.log`). */
  print?: (line: string) => void;
}

/** A pipeline built from its file: its graph exists, nothing runs until `start()`. */
export interface BuiltPipeline {
  readonly pipeline: LoadedPipeline;
  readonly inputs: readonly BuiltInput[];
  /** The dead-letter streams, one per dead-letter step. */
  readonly deadLetters: readonly Stream<DeadLetterRecord>[];
  /** The nodes that only count what passes (left out of drawings). */
  readonly plumbing: ReadonlySet<Stream<any>>;
  /** Nodes whose errors go to a dead-letter stream, with it (drawn as dashed edges). */
  readonly errorRoutes: readonly (readonly [Stream<any>, Stream<DeadLetterRecord>])[];
  /** Elements that reached the outputs, and elements dead-lettered, so far. */
  emitted(): number;
  deadLettered(): number;
  /** Starts the outputs that serve (the dashboard), then the inputs. */
  start(): void;
  stop(): void;
  /** After `start()`: settles when the outputs that serve are listening, with their addresses. */
  serving(): Promise<{ at: string; type: string; url: string | null }[]>;
  /**
   * Settles when every input has ended and everything is written: dead letters included, producers closed.
   * Rejects with the first failure, after stopping the other inputs and finishing the outputs.
   */
  done(): Promise<void>;
}

/**
 * Builds the graph of a validated pipeline: loads the functions module, creates its inputs, steps and outputs.
 * What only a built graph can tell (a function the module does not export, an output nobody provides) is a
 * `TS_PIPELINE_BAD_SPEC` with its line, before anything starts.
 *
 * @example
 * import { buildPipeline, loadPipeline } from 'twinstream/pipeline';
 * const built = await buildPipeline(await loadPipeline('pipeline.yaml'), { outDir: 'out' });
 * built.start();
 * await built.done();
 */
export async function buildPipeline(
  pipeline: LoadedPipeline,
  options: BuildPipelineOptions = {},
): Promise<BuiltPipeline> {
  const { spec, dir } = pipeline;
  const outDir = options.outDir ?? '.';
  const print = options.print ?? ((line: string) => console.log(line));
  const functions = spec.functions === undefined ? {} : await loadFunctions(pipeline, resolve(dir, spec.functions));
  const inputs = new Map<string, BuiltInput>();
  for (const [i, input] of spec.inputs.entries()) {
    const name = inputName(input, i);
    inputs.set(name, await createInput(input, name, dir));
  }
  const all = [...inputs.values()];
  const steps = spec.steps ?? [];
  const closers: (() => Promise<void>)[] = [];
  const shared = new Map<string, unknown>();
  const starters: { at: string; type: string; start: () => Promise<string | null> }[] = [];
  const context = (at: string) => ({
    outDir,
    print,
    at,
    name: spec.name ?? 'pipeline',
    roots: all.map((i) => i.stream),
    shared,
  });

  // Dead-letter streams first, so every step knows the one after it.
  let deadLettered = 0;
  const deadLetters = new Map<number, Stream<DeadLetterRecord>>();
  for (const [i, step] of steps.entries()) {
    if (step.deadLetter === undefined) continue;
    const dl = new Stream<DeadLetterRecord>({ name: `steps[${i}] deadLetter` });
    dl.kind = 'deadLetter';
    const built = await createOutput(dl, step.deadLetter, context(`steps[${i}].deadLetter`));
    if (built === null) throw unavailable(pipeline, ['steps', i, 'deadLetter'], step.deadLetter.type);
    built.node.name ??= `steps[${i}].deadLetter ${step.deadLetter.type}`;
    if (built.close !== undefined) closers.push(built.close);
    if (built.start !== undefined)
      starters.push({ at: `steps[${i}].deadLetter`, type: step.deadLetter.type, start: built.start });
    deadLetters.set(i, dl);
  }
  const nextDeadLetter = (i: number) => {
    for (let j = i + 1; j < steps.length; j++) if (deadLetters.has(j)) return deadLetters.get(j)!;
    return null;
  };
  const send = (dl: Stream<DeadLetterRecord>, r: Omit<DeadLetterRecord, 'time'>) => {
    deadLettered++;
    return dl.emit({ ...r, time: new Date().toISOString() });
  };
  const errorRoutes: [Stream<any>, Stream<DeadLetterRecord>][] = [];
  const route = (node: Stream<any>, dl: Stream<DeadLetterRecord> | null, step: string) => {
    if (dl === null) return;
    errorRoutes.push([node, dl]);
    node.onError(({ error, value }) => send(dl, { step, reason: error.code, message: error.message, value }));
  };

  // Bad input (a line that is not JSON, a message that cannot be decoded) goes to the first dead-letter step.
  const first = nextDeadLetter(-1);
  for (const input of inputs.values()) {
    for (const parser of input.parsers) route(parser, first, input.name);
    if (first !== null && 'malformedInput' in input.source) {
      const malformed = (input.source as unknown as { malformedInput(): Stream<any> }).malformedInput();
      errorRoutes.push([malformed, first]);
      malformed.sink((m: { reason: string; message: string; sample?: unknown }) =>
        send(first, { step: input.name, reason: m.reason, message: m.message, value: m.sample ?? null }),
      );
    }
  }

  const joined = new Set(steps.flatMap((s) => (s.join === undefined ? [] : [s.join.with])));
  const heads = [...inputs.values()].filter((i) => !joined.has(i.name)).map((i) => i.stream);
  let stream: Stream<any> = heads.length === 1 ? heads[0]! : heads[0]!.union(...heads.slice(1));
  for (const [i, step] of steps.entries()) {
    const dl = nextDeadLetter(i);
    const next = applyStep(stream, step, i, {
      pipeline,
      functions,
      inputs,
      late: (at, info) => {
        if (dl !== null)
          void send(dl, {
            step: at,
            reason: 'late',
            message: `the window [${info.start}, ${info.end}) had closed ${info.lateBy} ms before`,
            value: info.element,
          });
      },
    });
    if (next !== stream) route(next, dl, next.name ?? `steps[${i}]`);
    stream = next;
  }

  let emitted = 0;
  const plumbing = new Set<Stream<any>>(all.map((i) => i.stream));
  plumbing.add(
    stream.sink(() => {
      emitted++;
    }),
  );
  for (const [i, output] of spec.outputs.entries()) {
    const built: BuiltOutput | null = await createOutput(stream, output, context(`outputs[${i}]`));
    if (built === null) throw unavailable(pipeline, ['outputs', i], output.type);
    built.node.name ??= `outputs[${i}] ${output.type}`;
    if (built.close !== undefined) closers.push(built.close);
    if (built.start !== undefined) starters.push({ at: `outputs[${i}]`, type: output.type, start: built.start });
  }

  const stop = () => {
    for (const input of all) input.source.stop();
  };
  // The outputs that serve, started with the pipeline; their failure (a port taken) fails `done`.
  let serving: Promise<{ at: string; type: string; url: string | null }[]> = Promise.resolve([]);
  const finish = async () => {
    for (const dl of deadLetters.values()) dl.end();
    await whenGraphIdle([...deadLetters.values()]);
    for (const close of closers) await close();
  };
  return {
    pipeline,
    inputs: all,
    deadLetters: [...deadLetters.values()],
    errorRoutes,
    plumbing,
    emitted: () => emitted,
    deadLettered: () => deadLettered,
    start: () => {
      serving = Promise.all(starters.map(async (o) => ({ at: o.at, type: o.type, url: await o.start() })));
      serving.catch(() => stop());
      for (const input of all) input.source.start();
    },
    stop,
    serving: () => serving,
    done: async () => {
      try {
        await Promise.all([...all.map((i) => i.source.done), serving]);
        // A stopped Kafka source does not tell the graph its input ended (a topic has no end, and open windows
        // must wait for a restart); an input that reached its `limit` has ended, so its windows close now.
        const limited = all.filter((i) => i.type === 'kafka' && i.limitReached());
        for (const input of limited) input.stream.end();
        await whenGraphIdle(limited.map((i) => i.stream));
      } catch (error) {
        stop();
        await Promise.allSettled(all.map((i) => i.source.done));
        await finish().catch(() => {});
        throw error;
      }
      await finish();
    },
  };
}

async function loadFunctions(pipeline: LoadedPipeline, file: string): Promise<Record<string, unknown>> {
  try {
    return { ...((await import(pathToFileURL(file).href)) as Record<string, unknown>) };
  } catch (error) {
    throw specError(
      pipeline,
      ['functions'],
      `cannot load the functions module ${file}: ${(error as Error).message}; expected a JavaScript or TypeScript module that exports functions by name`,
    );
  }
}

function unavailable(pipeline: LoadedPipeline, path: (string | number)[], type: string) {
  return specError(
    pipeline,
    path,
    `the ${type} output is not available in this program: the live dashboard provides it (registerPipelineOutput); expected one of console, jsonl, parquet, s3, kafka, mqtt, postgres, redis`,
  );
}
