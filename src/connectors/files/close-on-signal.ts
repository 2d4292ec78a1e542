type Closer = () => void | Promise<void>;

const closers = new Set<Closer>();
let installed = false;
let closing: Promise<void> | null = null;

/**
 * Registers `close` to run when the process receives SIGINT or SIGTERM, then the process exits with the usual code
 * (130 for SIGINT, 143 for SIGTERM) unless the program has a handler of its own for that signal (it then decides). File writers register while a file is open, so Ctrl-C leaves complete files
 * (a Parquet footer written, a temporary name renamed) instead of truncated ones. Returns the function that
 * unregisters it. The handlers are installed at the first registration and removed when none is left, so a
 * program with no open file keeps Node's default behaviour.
 *
 * @example
 * const unregister = closeOnSignal(() => writer.finish());
 * // ... later, once finished normally:
 * unregister();
 */
export function closeOnSignal(close: Closer): () => void {
  closers.add(close);
  if (!installed) {
    installed = true;
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
  }
  return () => {
    closers.delete(close);
    if (closers.size === 0 && installed && closing === null) {
      installed = false;
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    }
  };
}

/**
 * Runs every registered closer now (each once, errors reported on stderr) and settles when all have finished.
 * What the signal handlers do before exiting; also useful before a planned `process.exit`.
 *
 * @example
 * await closeAllFiles();
 * process.exit(0);
 */
export function closeAllFiles(): Promise<void> {
  closing ??= (async () => {
    const all = [...closers];
    closers.clear();
    for (const close of all) {
      try {
        await close();
      } catch (e) {
        process.stderr.write(`twinstream: closing a file on exit failed: ${(e as Error).message}\n`);
      }
    }
  })().finally(() => {
    closing = null;
  });
  return closing;
}

// The process exits after closing only when nothing else listens for the signal: a program with its own handler
// (an application that drains on SIGTERM) decides when to exit, as it would without open files.
function onSigint(): void {
  const alone = process.listenerCount('SIGINT') === 1;
  void closeAllFiles().then(() => {
    if (alone) process.exit(130);
  });
}

function onSigterm(): void {
  const alone = process.listenerCount('SIGTERM') === 1;
  void closeAllFiles().then(() => {
    if (alone) process.exit(143);
  });
}
