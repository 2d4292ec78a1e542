// Block pipes side by side with Joule (PERF.md: write -> read -> consume of float64_8 blocks of 10,000 rows).
// Local: twinstream's LocalPipe, the limit (one Float64Array.set of each block into a buffer), and Joule's own
// LocalPipe from PyPI in a venv this script makes (bench/.venv; when joule cannot be installed, a NumPy loop doing
// what its LocalPipe does, and the table says so). Remote: the same blocks through a TCP pipe on loopback, against
// raw socket writes of the same bytes. Times are CPU time of the process (the machines are shared); medians.
//   node bench/pipes.ts [--quick]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { LocalPipe, PipeServer, RemoteInputPipe, RemoteOutputPipe } from '../src/pipes/index.ts';
import { parseLayout } from '../src/pipes/layout.ts';
import { encodeData } from '../src/pipes/remote/wire.ts';

const quick = process.argv.includes('--quick');
const ROWS = 10_000;
const WIDTH = 8;
const BLOCKS = quick ? 200 : 1000; // 2M or 10M rows
const REPS = quick ? 3 : 5;
const VALUES = BLOCKS * ROWS * WIDTH;

const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function inputs() {
  const timestamps = new Float64Array(ROWS);
  const data = new Float64Array(ROWS * WIDTH);
  for (let i = 0; i < data.length; i++) data[i] = Math.random();
  return { timestamps, data };
}

async function twinstreamLocal(): Promise<number> {
  const pipe = new LocalPipe<Float64Array>({ layout: 'float64_8' });
  const block = inputs();
  let checksum = 0;
  const t0 = cpu();
  for (let k = 0; k < BLOCKS; k++) {
    for (let i = 0; i < ROWS; i++) block.timestamps[i] = k * ROWS + i;
    await pipe.write(block);
    const b = await pipe.read();
    checksum += b.data[b.data.length - 1]!;
    pipe.consume(b.timestamps.length);
  }
  const s = cpu() - t0;
  if (Number.isNaN(checksum)) throw new Error('no data');
  return s;
}

async function limitLoop(): Promise<number> {
  const block = inputs();
  const ts = new Float64Array(ROWS);
  const data = new Float64Array(ROWS * WIDTH);
  let checksum = 0;
  const t0 = cpu();
  for (let k = 0; k < BLOCKS; k++) {
    for (let i = 0; i < ROWS; i++) block.timestamps[i] = k * ROWS + i;
    ts.set(block.timestamps);
    data.set(block.data);
    checksum += data[data.length - 1]!;
    await null;
  }
  const s = cpu() - t0;
  if (Number.isNaN(checksum)) throw new Error('no data');
  return s;
}

function joule(): { seconds: number[]; peer: string } | string {
  const venv = 'bench/.venv';
  let note = '';
  if (!existsSync(`${venv}/bin/python`)) {
    const mk = spawnSync('python3', ['-m', 'venv', venv], { encoding: 'utf8' });
    if (mk.status !== 0) return `no venv: ${mk.stderr.trim().split('\n').pop()}`;
    const pip = spawnSync(`${venv}/bin/pip`, ['install', '--quiet', 'joule'], { encoding: 'utf8', timeout: 900_000 });
    if (pip.status !== 0) note = `pip install joule failed: ${pip.stderr.trim().split('\n').pop()}`;
  }
  const r = spawnSync(`${venv}/bin/python`, ['bench/pipes-joule.py', String(BLOCKS), String(ROWS), String(REPS)], {
    encoding: 'utf8',
    timeout: 900_000,
  });
  if (r.status !== 0) return `${note} joule run failed: ${r.stderr.trim().split('\n').pop()}`;
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  return { seconds: lines.map((l) => l.seconds), peer: `${lines[0].peer}${note ? ` (${note})` : ''}` };
}

// ---- remote, over loopback TCP: CPU time of the process, which holds both ends (the machines here are shared) ----
const TCP_BLOCKS = quick ? 100 : 300;
const BYTES = TCP_BLOCKS * ROWS * parseLayout('float64_8').rowBytes;

async function tcpToServedPipe(remoteReader: boolean): Promise<number> {
  const served = new LocalPipe<Float64Array>({ layout: 'float64_8', name: 's' });
  const server = new PipeServer({ pipes: { s: served } });
  const { port } = await server.start();
  const out = new RemoteOutputPipe({ port, stream: 's', layout: 'float64_8' });
  const input = remoteReader ? new RemoteInputPipe<Float64Array>({ port, stream: 's', layout: 'float64_8' }) : served;
  await out.connect();
  if (input instanceof RemoteInputPipe) await input.connect();
  const block = inputs();
  const t0 = cpu();
  const reading = (async () => {
    let got = 0;
    while (got < TCP_BLOCKS * ROWS) {
      const b = await input.read();
      got += b.timestamps.length;
      input.consume(b.timestamps.length);
    }
  })();
  for (let k = 0; k < TCP_BLOCKS; k++) {
    for (let i = 0; i < ROWS; i++) block.timestamps[i] = k * ROWS + i;
    await out.write(block);
  }
  await reading;
  const s = cpu() - t0;
  await out.close();
  await input.close();
  await server.close();
  return s;
}

async function rawSocket(): Promise<number> {
  // The same bytes (frames encoded beforehand) written to a socket whose other end only counts them.
  const frame = encodeData(parseLayout('float64_8'), 1, inputs());
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => (done = r));
  const server = createServer((sock) => {
    let n = 0;
    sock.on('data', (c) => {
      n += c.length;
      if (n >= frame.length * TCP_BLOCKS) done();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sock = connect((server.address() as { port: number }).port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  const t0 = cpu();
  for (let k = 0; k < TCP_BLOCKS; k++) {
    if (!sock.write(frame)) await new Promise((r) => sock.once('drain', r));
  }
  await finished;
  const s = cpu() - t0;
  sock.destroy();
  server.close();
  return s;
}

const rows: [string, number][] = [];
const run = async (name: string, f: () => Promise<number>) => {
  await f(); // warm-up
  const s: number[] = [];
  for (let r = 0; r < REPS; r++) s.push(await f());
  rows.push([name, median(s)]);
};

const rss0 = process.memoryUsage().rss;
await run('twinstream LocalPipe', twinstreamLocal);
const rssGrowth = (process.memoryUsage().rss - rss0) / 1e6;
await run('limit: Float64Array.set loop', limitLoop);
const peer = joule();
if (typeof peer !== 'string') rows.push([peer.peer, median(peer.seconds)]);

console.log(
  `local write -> read -> consume, float64_8, ${BLOCKS} blocks of ${ROWS} rows (${VALUES / 1e6}M values), median of ${REPS}, CPU time\n`,
);
console.log('| variant | M values/s | twinstream speed ÷ this |');
console.log('| --- | ---: | ---: |');
const ours = rows[0]![1];
for (const [name, s] of rows) {
  console.log(`| ${name} | ${(VALUES / s / 1e6).toFixed(0)} | ${(s / ours).toFixed(2)}× |`);
}
if (typeof peer === 'string') console.log(`\n- Joule: not measured: ${peer}`);
console.log(
  `\n- RSS growth over the twinstream runs (${((REPS + 1) * BLOCKS * ROWS) / 1e6}M rows): ${rssGrowth.toFixed(1)} MB`,
);

const tcp: [string, number][] = [];
const runTcp = async (name: string, f: () => Promise<number>) => {
  await f();
  const s: number[] = [];
  for (let r = 0; r < REPS; r++) s.push(await f());
  tcp.push([name, median(s)]);
};
await runTcp('twinstream RemoteOutputPipe -> PipeServer -> LocalPipe', () => tcpToServedPipe(false));
await runTcp('twinstream RemoteOutputPipe -> PipeServer -> RemoteInputPipe', () => tcpToServedPipe(true));
await runTcp('raw socket writes of the same bytes', rawSocket);
console.log(
  `\nremote over loopback TCP, float64_8, ${TCP_BLOCKS} blocks of ${ROWS} rows (${(BYTES / 1e6).toFixed(0)} MB of ` +
    `rows), median of ${REPS}, CPU time of the one process holding both ends (user + system, so the kernel's socket copies count)\n`,
);
console.log('| variant | MB/s | first row speed ÷ this |');
console.log('| --- | ---: | ---: |');
for (const [name, s] of tcp) {
  console.log(`| ${name} | ${(BYTES / s / 1e6).toFixed(0)} | ${(s / tcp[0]![1]).toFixed(2)}× |`);
}

// ---- stored streams: insert and range read, rows/s (CPU time) ----
{
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { StreamStore } = await import('../src/pipes/index.ts');
  const STORE_BLOCKS = quick ? 50 : 200;
  const insert: number[] = [];
  const read: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const dir = mkdtempSync(join(tmpdir(), 'twinstream-bench-store-'));
    const store = await StreamStore.open({ path: dir });
    store.createStream('/bench', 'float64_8');
    const block = inputs();
    let t0 = cpu();
    for (let k = 0; k < STORE_BLOCKS; k++) {
      for (let i = 0; i < ROWS; i++) block.timestamps[i] = k * ROWS + i;
      store.insert('/bench', block, { continueInterval: true });
    }
    insert.push(cpu() - t0);
    t0 = cpu();
    let got = 0;
    for (let from = 0; ; ) {
      const b = store.read('/bench', { start: from, maxRows: 100_000 });
      if (b.timestamps.length === 0) break;
      got += b.timestamps.length;
      from = b.timestamps[b.timestamps.length - 1]! + 1;
    }
    read.push(cpu() - t0);
    if (got !== STORE_BLOCKS * ROWS) throw new Error(`read ${got} rows`);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const n = STORE_BLOCKS * ROWS;
  console.log(
    `\nstored stream (lmdb), float64_8, ${n / 1e6}M rows in blocks of ${ROWS}, median of ${REPS}, CPU time\n`,
  );
  console.log('| operation | M rows/s |');
  console.log('| --- | ---: |');
  console.log(`| insert | ${(n / median(insert) / 1e6).toFixed(2)} |`);
  console.log(`| range read (100k rows a read) | ${(n / median(read) / 1e6).toFixed(2)} |`);
}
