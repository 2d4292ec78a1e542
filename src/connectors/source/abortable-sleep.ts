/**
 * @internal Waits `ms` on the real clock, or less when `signal` aborts (at once if it has already): the pause
 * between a source's connection attempts, or between two polls, that `stop()` must not wait out. The abort
 * listener goes with the pause, so a source that reconnects for days does not pile them up.
 *
 * @example
 * await abortableSleep(1000, signal);
 * if (signal.aborted) return;
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
