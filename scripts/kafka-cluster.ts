// Starts Apache Kafka brokers in KRaft mode (each node both broker and controller) on free loopback ports, with
// their data in a temporary directory, and stops them cleanly. Used by the test setup, the fault tests (three
// nodes) and `npm run kafka`.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installKafka, type KafkaInstall, newClusterId } from './kafka-install.ts';

/** Options of {@link startKafka}. */
export interface StartKafkaOptions {
  /** 1 (default) or 3 nodes. */
  brokers?: 1 | 3;
  /** The PLAINTEXT port of the first node; a free port by default. */
  port?: number;
  /** Broker settings added to (or replacing) the defaults, e.g. `{ 'auto.create.topics.enable': 'false' }`. */
  config?: Record<string, string | number | boolean>;
  /** Where the data goes; a new temporary directory (removed by `stop()`) by default. */
  dataDir?: string;
  /** Heap of each JVM; `512m` for one node, `384m` each for three. */
  heap?: string;
  /** How long to wait for the cluster to answer, in ms (default 60 000). */
  startTimeout?: number;
  /** Lets this Node process exit while the cluster runs (it is then killed on exit); for per-file test brokers. */
  unref?: boolean;
}

/** One node of a running cluster. */
export interface KafkaNode {
  nodeId: number;
  port: number;
  controllerPort: number;
  /** Whether its JVM is running. */
  readonly running: boolean;
  /** Its log file. */
  log: string;
}

/** A running cluster, as {@link startKafka} returns it. */
export interface KafkaCluster {
  /** `host:port,host:port…` of every node. */
  bootstrap: string;
  /** The same as a list, for `bootstrapBrokers`. */
  brokers: string[];
  nodes: KafkaNode[];
  version: string;
  /** Stops every node cleanly (SIGTERM, then SIGKILL after 20 s) and removes a temporary data directory. */
  stop(): Promise<void>;
  /** Stops (cleanly) and starts again one node, or all of them, with their data; ports stay the same. */
  restart(nodeId?: number): Promise<void>;
  /** Kills one node with SIGKILL, as a crash would. */
  kill(nodeId: number): Promise<void>;
  /** Starts a node that was killed or stopped, and waits until it answers. */
  startNode(nodeId: number): Promise<void>;
  /** The tail of a node's log. */
  logTail(nodeId: number, lines?: number): string;
}

interface NodeState extends KafkaNode {
  dir: string;
  config: string;
  process: ChildProcess | null;
  exited: Promise<number | null> | null;
  dumpArchive: string | null;
}

/** `n` loopback ports free a moment ago (listened on, then closed). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<import('node:net').Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as import('node:net').AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function serverProperties(
  node: { nodeId: number; port: number; controllerPort: number; dir: string },
  voters: string,
  replication: number,
  extra: Record<string, string | number | boolean>,
): string {
  const settings: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': node.nodeId,
    'controller.quorum.voters': voters,
    listeners: `PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${node.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': join(node.dir, 'data'),
    'num.partitions': 1,
    'default.replication.factor': replication,
    'min.insync.replicas': replication > 1 ? 2 : 1,
    'offsets.topic.replication.factor': replication,
    'offsets.topic.num.partitions': 4,
    'transaction.state.log.replication.factor': replication,
    'transaction.state.log.min.isr': replication > 1 ? 2 : 1,
    'transaction.state.log.num.partitions': 4,
    'share.coordinator.state.topic.replication.factor': replication,
    'share.coordinator.state.topic.min.isr': 1,
    // Fast, test-friendly group behaviour: no initial rebalance delay, short sessions allowed.
    'group.initial.rebalance.delay.ms': 0,
    'group.min.session.timeout.ms': 1000,
    'group.consumer.min.session.timeout.ms': 1000,
    'group.consumer.min.heartbeat.interval.ms': 500,
    'transaction.abort.timed.out.transaction.cleanup.interval.ms': 5000,
    'transaction.remove.expired.transaction.cleanup.interval.ms': 60000,
    'message.max.bytes': 16 * 1024 * 1024,
    'replica.fetch.max.bytes': 16 * 1024 * 1024,
    'log.cleaner.backoff.ms': 1000,
    // Keep everything: tests and benchmarks write event times from the past (2023, 2024) as record timestamps,
    // which time-based retention (7 days) would delete under a running consumer.
    'log.retention.ms': -1,
    // Quicker failure detection and recovery for the fault tests (defaults: 2 s heartbeats, 9 s sessions).
    'broker.heartbeat.interval.ms': 500,
    'broker.session.timeout.ms': 3000,
    ...extra,
  };
  return `${Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

function jvmArgs(install: KafkaInstall, heap: string, archive: string | null, dump: string | null): string[] {
  const args = [`-Xmx${heap}`, '-Xms64m', '-Djava.awt.headless=true', '-Dorg.slf4j.simpleLogger.showDateTime=true'];
  if (dump) args.push(`-XX:ArchiveClassesAtExit=${dump}`);
  else if (archive) args.push(`-XX:SharedArchiveFile=${archive}`, '-Xshare:auto');
  args.push('-Xlog:cds=off', '-Xlog:cds+dynamic=off', '-cp', install.classpath);
  return args;
}

/** Runs `kafka.tools.StorageTool format` on one node's configuration. */
function format(install: KafkaInstall, node: NodeState, clusterId: string): Promise<void> {
  const archive = existsSync(install.archive) ? install.archive : null;
  const args = [
    ...jvmArgs(install, '256m', archive, null),
    '-XX:TieredStopAtLevel=1',
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    node.config,
    '--ignore-formatted',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(install.java, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `formatting the storage of Kafka node ${node.nodeId} failed (exit ${code}):\n${output.slice(-4000)}`,
          ),
        );
    });
  });
}

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

/** What a failed start needs to show: the log's errors (the reason; its tail is mostly shutdown noise), then its tail. */
function diagnose(file: string): string {
  if (!existsSync(file)) return '(no log)';
  const lines = readFileSync(file, 'utf8').split('\n');
  const errors = lines.filter((l) => /\b(ERROR|FATAL)\b|Exception:|^\s+at |^Error/.test(l)).slice(0, 40);
  return `${errors.length ? `${errors.join('\n')}\n...\n` : ''}${lines.slice(-25).join('\n')}`;
}

/** Asks one node for cluster metadata until it answers with `expected()` brokers (those running), its JVM exits, or time runs out. */
async function waitUntilAnswering(
  node: NodeState,
  clusterId: string,
  expected: () => number,
  deadline: number,
): Promise<void> {
  const { Admin } = await import('@platformatic/kafka');
  let last: unknown;
  while (Date.now() < deadline) {
    if (!node.process) throw new Error(`Kafka node ${node.nodeId} exited while starting`);
    const admin = new Admin({
      clientId: 'twinstream-kafka-probe',
      bootstrapBrokers: [`127.0.0.1:${node.port}`],
      connectTimeout: 1000,
      requestTimeout: 2000,
      retries: 0,
    });
    try {
      const metadata = await admin.metadata({ topics: [], forceUpdate: true });
      // Another broker on the same port (ours failed to bind) answers with another cluster id.
      if (metadata.id !== clusterId)
        throw new Error(`port ${node.port} is served by another Kafka cluster (${metadata.id})`);
      if (metadata.brokers.size >= expected()) return;
      last = new Error(`${metadata.brokers.size} of ${expected()} brokers registered`);
    } catch (error) {
      last = error;
    } finally {
      await admin.close().catch(() => {});
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Kafka node ${node.nodeId} did not answer in time: ${(last as Error)?.message ?? last}`);
}

/**
 * Starts a KRaft cluster of one or three nodes on free loopback ports and waits until it answers a metadata
 * request through the client. The broker jars come from Maven Central the first time (see `installKafka`).
 * Startup failures throw an error that includes the tail of the broker's log.
 *
 * @example
 * const kafka = await startKafka();
 * console.log(kafka.bootstrap); // 127.0.0.1:40123
 * await kafka.stop();
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaCluster> {
  const count = options.brokers ?? 1;
  const install = installKafka();
  const ownDir = options.dataDir === undefined;
  const root = options.dataDir ?? mkdtempSync(join(tmpdir(), 'twinstream-kafka-'));
  const ports = await freePorts(count * 2);
  if (options.port !== undefined) ports[0] = options.port;
  const heap = options.heap ?? (count === 1 ? '512m' : '384m');
  const startTimeout = options.startTimeout ?? 60_000;
  const nodes: NodeState[] = [];
  for (let i = 0; i < count; i++) {
    const dir = join(root, `node-${i + 1}`);
    mkdirSync(dir, { recursive: true });
    nodes.push({
      nodeId: i + 1,
      port: ports[i]!,
      controllerPort: ports[count + i]!,
      dir,
      config: join(dir, 'server.properties'),
      log: join(dir, 'broker.log'),
      process: null,
      exited: null,
      dumpArchive: null,
      get running() {
        return this.process !== null;
      },
    });
  }
  const voters = nodes.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(',');
  for (const node of nodes) writeFileSync(node.config, serverProperties(node, voters, count, options.config ?? {}));
  const clusterId = newClusterId();
  await Promise.all(nodes.map((n) => format(install, n, clusterId)));

  let archiveClaimed = false;
  const launch = (node: NodeState): void => {
    // The first clean stop of a broker without an archive writes one; every later start maps it (about 1 s saved).
    let dump: string | null = null;
    if (!existsSync(install.archive) && !archiveClaimed) {
      archiveClaimed = true;
      dump = `${install.archive}.${process.pid}.${node.nodeId}.tmp`;
    }
    const fd = openSync(node.log, 'a');
    const child = spawn(
      install.java,
      [
        ...jvmArgs(install, heap, existsSync(install.archive) ? install.archive : null, dump),
        install.mainClass,
        node.config,
      ],
      { stdio: ['pipe', fd, fd], detached: false },
    );
    closeSync(fd);
    if (options.unref) {
      child.unref();
      (child.stdin as unknown as { unref(): void }).unref();
    }
    node.process = child;
    node.dumpArchive = dump;
    node.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        node.process = null;
        if (node.dumpArchive && existsSync(node.dumpArchive)) {
          if (signal === null && !existsSync(install.archive)) renameSync(node.dumpArchive, install.archive);
          else rmSync(node.dumpArchive, { force: true });
        }
        node.dumpArchive = null;
        resolve(code);
      });
      child.on('error', () => resolve(null));
    });
  };

  const stopNode = async (node: NodeState, signal: NodeJS.Signals): Promise<void> => {
    const child = node.process;
    if (!child) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await node.exited;
    clearTimeout(timer);
  };

  const waitAll = async (which: NodeState[]): Promise<void> => {
    const deadline = Date.now() + startTimeout;
    try {
      const running = (): number => nodes.filter((n) => n.process !== null).length;
      await Promise.all(which.map((n) => waitUntilAnswering(n, clusterId, running, deadline)));
    } catch (error) {
      const logs = which.map((n) => `--- log of Kafka node ${n.nodeId} (${n.log}) ---\n${diagnose(n.log)}`).join('\n');
      throw new Error(`${(error as Error).message}\n${logs}`, { cause: error });
    }
  };

  // A cluster must not outlive this process, even when it ends without stop().
  const onExit = (): void => {
    for (const n of nodes) n.process?.kill('SIGKILL');
    if (ownDir) rmSync(root, { recursive: true, force: true });
  };
  process.on('exit', onExit);

  const byId = (nodeId: number): NodeState => {
    const node = nodes.find((n) => n.nodeId === nodeId);
    if (!node) throw new Error(`no Kafka node ${nodeId}; the cluster has nodes 1..${count}`);
    return node;
  };

  for (const node of nodes) launch(node);
  try {
    await waitAll(nodes);
  } catch (error) {
    await Promise.all(nodes.map((n) => stopNode(n, 'SIGKILL')));
    process.off('exit', onExit);
    if (ownDir) rmSync(root, { recursive: true, force: true });
    throw error;
  }

  const brokers = nodes.map((n) => `127.0.0.1:${n.port}`);
  return {
    bootstrap: brokers.join(','),
    brokers,
    nodes,
    version: install.version,
    async stop() {
      await Promise.all(nodes.map((n) => stopNode(n, 'SIGTERM')));
      process.off('exit', onExit);
      if (ownDir) rmSync(root, { recursive: true, force: true });
    },
    async restart(nodeId?: number) {
      const which = nodeId === undefined ? nodes : [byId(nodeId)];
      await Promise.all(which.map((n) => stopNode(n, 'SIGTERM')));
      for (const n of which) launch(n);
      await waitAll(which);
    },
    async kill(nodeId: number) {
      await stopNode(byId(nodeId), 'SIGKILL');
    },
    async startNode(nodeId: number) {
      const node = byId(nodeId);
      if (node.process) return;
      launch(node);
      await waitAll([node]);
    },
    logTail(nodeId: number, lines = 60) {
      return tail(byId(nodeId).log, lines);
    },
  };
}
