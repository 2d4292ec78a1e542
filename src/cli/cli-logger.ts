import type { PipelineLog } from '../pipeline/run-pipeline.ts';

/** The levels `--log-level` accepts, quietest last. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The command line's structured log on stderr (pino): one JSON object per line when stderr is not a terminal (a
 * pipe, a CI log, a log collector), `level message` lines when it is. `level` is `--log-level`.
 *
 * @example
 * const log = await cliLogger('info');
 * log.info({ input: 'http0', port: 8080 }, 'http0 listening on 127.0.0.1:8080');
 * @internal
 */
export async function cliLogger(level: LogLevel, tty = process.stderr.isTTY === true): Promise<PipelineLog> {
  const { pino } = await import('pino');
  // Wrapped: a pino logger is thenable-looking to the type checker, and callers need only these two.
  const wrap = (logger: import('pino').Logger): PipelineLog => ({
    info: (fields, message) => logger.info(fields, message),
    warn: (fields, message) => logger.warn(fields, message),
  });
  if (!tty) return wrap(pino({ level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true })));
  const names: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
  // A person reads a terminal: the level (when it is not info) and the message, the fields left to JSON logs.
  const human = {
    write(line: string) {
      const o = JSON.parse(line) as { level: number; msg: string };
      const name = names[o.level] ?? String(o.level);
      process.stderr.write(`${name === 'info' ? '' : `${name}: `}${o.msg}\n`);
    },
  };
  return wrap(pino({ level }, human));
}
