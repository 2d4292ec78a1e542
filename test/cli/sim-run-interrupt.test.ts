// Ctrl-C or SIGTERM during `twinstream sim run`: the Parquet files it was writing are complete (footer written,
// renamed from their temporary names), never truncated. Ctrl-C exits 130; SIGTERM stops the run, which prints its
// summary and exits 0, as `twinstream run` does.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'twinstream-sigint-'));
after(() => rmSync(dir, { recursive: true, force: true }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} during sim run leaves a complete Parquet file with a TIMESTAMP column`, async () => {
    const out = join(dir, signal);
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'src/cli/main.ts'),
        'sim',
        'run',
        join(ROOT, 'examples/models/line-a.yaml'),
        '--until',
        '604800',
        '--out',
        out,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupt once the first row groups are on disk under the temporary name.
    const deadline = Date.now() + 30_000;
    while (!(existsSync(out) && readdirSync(out).some((f) => f.endsWith('.tmp')))) {
      assert.ok(Date.now() < deadline, 'sim run wrote no file within 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
    child.kill(signal);
    const code = await exited;
    assert.equal(code, signal === 'SIGINT' ? 130 : 0, stderr);
    if (signal === 'SIGTERM') assert.match(stdout, /^stopped at \d+(\.\d+)? by stopped from outside$/m);
    assert.deepEqual(readdirSync(out), ['events.parquet']);
    const file = await asyncBufferFromFile(join(out, 'events.parquet'));
    const meta = await parquetMetadataAsync(file);
    assert.ok(Number(meta.num_rows) > 0);
    const ts = meta.schema.find((e) => e.name === 'timestamp')!;
    assert.deepEqual(ts.logical_type, { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' });
    const [first] = (await parquetReadObjects({ file, rowStart: 0, rowEnd: 1 })) as { timestamp: Date }[];
    assert.ok(first!.timestamp instanceof Date);
  });
}
