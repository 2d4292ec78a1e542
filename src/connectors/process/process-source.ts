import { type ChildProcess, spawn } from 'node:child_process';
import type { StreamOptions } from '../../core/stream.ts';
import { badArgument, requireInteger, TwinstreamError } from '../../errors.ts';
import { ConnectorSource } from '../source/connector-source.ts';
import { decodePayload } from '../source/decode-payload.ts';

/** How `Stream.fromProcess` runs its command and reads its output. */
export interface FromProcessOptions {
  /** The working directory. Default: this process's. */
  cwd?: string;
  /** The environment. Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** `'string'` (each line as UTF-8 text, the default) or `'json'` (each line one JSON value). */
  value?: 'string' | 'json';
  /** Longer lines are refused and skipped. Default 1 MiB. */
  maxLineBytes?: number;
  /** Where the command's stderr goes: `'inherit'` (this process's stderr, the default) or `'ignore'`. */
  stderr?: 'inherit' | 'ignore';
  /** A non-zero exit fails `done` with `TS_PROCESS_EXIT`. Default true; false: the exit is only recorded. */
  failOnError?: boolean;
}

/** How the command ended: its exit code, or the signal that ended it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A child process whose stdout lines become elements, in order, with back pressure: while the graph pushes back,
 * its stdout is not read, so the pipe fills and the command blocks on its writes. A line that is not UTF-8, not
 * JSON (`value: 'json'`) or too long is counted and reported with its line number on `malformedInput()`. When the
 * command exits, the source ends (the graph sees the end of its input) and `exit` holds the code; a non-zero code
 * fails `done` with `TS_PROCESS_EXIT`. `stop()` ends the command with SIGTERM.
 *
 * @example
 * const source = Stream.fromProcess('journalctl', ['-f', '-o', 'json'], { value: 'json' });
 * source.sink(console.log);
 * source.start();
 */
export class ProcessSource<T = string> extends ConnectorSource<T> {
  override kind = 'fromProcess';
  readonly command: string;
  readonly args: readonly string[];
  /** How the command ended (null while it runs, or before it started). */
  exit: ProcessExit | null = null;
  /** The command's process id while it runs. */
  pid: number | undefined = undefined;
  private readonly o: Required<Omit<FromProcessOptions, 'cwd' | 'env'>> & Pick<FromProcessOptions, 'cwd' | 'env'>;

  constructor(command: string, args: readonly string[] = [], options: FromProcessOptions = {}, so: StreamOptions = {}) {
    if (typeof command !== 'string' || command === '') {
      badArgument('Stream.fromProcess', 'command', command, 'a program name or path');
    }
    if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) {
      badArgument('Stream.fromProcess', 'args', args, 'a list of strings');
    }
    const value = options.value ?? 'string';
    if (value !== 'string' && value !== 'json') badArgument('Stream.fromProcess', 'value', value, "'string' or 'json'");
    const stderr = options.stderr ?? 'inherit';
    if (stderr !== 'inherit' && stderr !== 'ignore') {
      badArgument('Stream.fromProcess', 'stderr', stderr, "'inherit' or 'ignore'");
    }
    const maxLineBytes = options.maxLineBytes ?? 1024 * 1024;
    requireInteger('Stream.fromProcess', 'maxLineBytes', maxLineBytes, 1);
    super(so);
    this.command = command;
    this.args = [...args];
    this.o = { ...options, value, stderr, maxLineBytes, failOnError: options.failOnError ?? true };
  }

  protected async run(signal: AbortSignal): Promise<void> {
    this.exit = null;
    let child: ChildProcess;
    try {
      child = spawn(this.command, this.args, {
        cwd: this.o.cwd,
        env: this.o.env,
        stdio: ['ignore', 'pipe', this.o.stderr],
      });
    } catch (error) {
      throw this.spawnError(error);
    }
    this.pid = child.pid;
    const exited = new Promise<ProcessExit>((resolve, reject) => {
      child.once('error', (e) => reject(this.spawnError(e)));
      child.once('close', (code, sig) => resolve({ code, signal: sig }));
    });
    exited.catch(() => {});
    const kill = (): void => {
      child.kill('SIGTERM');
    };
    signal.addEventListener('abort', kill, { once: true });
    try {
      await this.readLines(child, signal);
      this.exit = await exited;
    } finally {
      signal.removeEventListener('abort', kill);
      this.pid = undefined;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
    const { code, signal: sig } = this.exit;
    if (this.o.failOnError && !signal.aborted && code !== 0) {
      const how = code === null ? `was ended by ${sig}` : `exited with code ${code}`;
      throw new TwinstreamError('TS_PROCESS_EXIT', `Stream.fromProcess: ${this.command} ${how}`, {
        context: { command: this.command, exitCode: code, signal: sig },
      });
    }
  }

  /** Reads stdout a chunk at a time (the next read waits for the graph), splitting it into lines. */
  private async readLines(child: ChildProcess, signal: AbortSignal): Promise<void> {
    const max = this.o.maxLineBytes;
    let pending: Buffer | null = null;
    let skipping = false;
    let n = 0;
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      const buf: Buffer = pending === null ? chunk : Buffer.concat([pending, chunk]);
      pending = null;
      let start = 0;
      for (let end = buf.indexOf(10, start); end >= 0; end = buf.indexOf(10, start)) {
        n++;
        const line = buf.subarray(start, end > start && buf[end - 1] === 13 ? end - 1 : end);
        start = end + 1;
        if (skipping) skipping = false;
        else if (line.length > max) this.tooLong(n, line);
        else {
          const r = this.line(line, n);
          if (r !== undefined) await r;
        }
        if (signal.aborted) return;
      }
      const rest = buf.subarray(start);
      // A line longer than the cap is never held whole: refused now, the rest of it skipped up to its newline.
      if (!skipping && rest.length > max) {
        this.tooLong(n + 1, rest);
        skipping = true;
      } else if (!skipping && rest.length > 0) pending = Buffer.from(rest);
    }
    // The last line, without a newline, is a line all the same (`printf x`).
    if (pending !== null && !skipping) {
      const r = this.line(pending, n + 1);
      if (r !== undefined) await r;
    }
  }

  private line(bytes: Buffer, n: number): void | Promise<void> {
    const d = decodePayload(bytes, this.o.value);
    if (d.error !== undefined) {
      this.reject(d.reason, `line ${n} of ${this.command}'s output: ${d.error}`, this.command, bytes);
      return;
    }
    return this.deliver(d.value as T);
  }

  private tooLong(n: number, bytes: Buffer): void {
    const message = `line ${n} of ${this.command}'s output is longer than maxLineBytes ${this.o.maxLineBytes}`;
    this.reject('too-large', message, this.command, bytes);
  }

  private spawnError(error: unknown): TwinstreamError {
    return new TwinstreamError(
      'TS_PROCESS_SPAWN',
      `Stream.fromProcess: ${this.command} could not be started: ${(error as Error)?.message ?? error}`,
      { cause: error, context: { command: this.command } },
    );
  }
}
