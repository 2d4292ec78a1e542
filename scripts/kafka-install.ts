// Fetches the Apache Kafka broker from Maven Central into a cache directory, once, and prepares what makes it
// start fast: a parent watchdog class (the broker stops when the Node process that started it dies) and the path
// of a class-data-sharing archive (written by the first broker that stops cleanly, read by every later start).
//
//   ~/.cache/twinstream/kafka-4.2.0/
//     pom.xml             the small pom handed to `mvn dependency:copy-dependencies`
//     libs/*.jar          kafka_2.13 and its runtime dependencies (Maven's own cache stays in ~/.m2)
//     twinstream-kafka-watchdog.jar   the watchdog, built with javac and jar when the JDK has them
//     broker-<java>.jsa   the CDS archive, once a broker has stopped cleanly
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from './services.ts';

/** The Kafka release the tests and `npm run kafka` use: the newest one @platformatic/kafka 2.12 is tested against. */
export const KAFKA_VERSION = '4.2.0';

/** The SLF4J binding that prints the broker's log (its own jar set ships only the SLF4J API). */
const SLF4J_SIMPLE = '1.7.36';

/** Everything needed to launch a broker of one version. */
export interface KafkaInstall {
  version: string;
  /** The cache directory of this version. */
  home: string;
  /** The `java` executable. */
  java: string;
  /** The major version of that Java runtime. */
  javaMajor: number;
  /** The class path for `java -cp`. */
  classpath: string;
  /** The main class: the watchdog when it could be compiled, else `kafka.Kafka`. */
  mainClass: string;
  /** Where the class-data-sharing archive lives (it may not exist yet). */
  archive: string;
}

function findJava(): { java: string; major: number } {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `Kafka needs Java 17 or newer, and "${java} -version" failed (${probe.error?.message ?? probe.stderr.trim()}); install a JDK (e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME`,
    );
  }
  const m = /version "(\d+)(?:\.(\d+))?/.exec(probe.stderr);
  const major = m ? (m[1] === '1' ? Number(m[2]) : Number(m[1])) : 0;
  if (major < 17) throw new Error(`Kafka 4 needs Java 17 or newer; "${java}" is Java ${major || 'of unknown version'}`);
  return { java, major };
}

function pom(version: string): string {
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.twinstream</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${version}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId><version>${SLF4J_SIMPLE}</version></dependency>
  </dependencies>
</project>
`;
}

function copyJars(home: string, version: string): void {
  const libs = join(home, 'libs');
  if (existsSync(libs) && readdirSync(libs).some((f) => f.startsWith(`kafka_2.13-${version}`))) return;
  // Download next to the final place and rename: a concurrent installer either sees nothing or a full set.
  const staging = join(home, `libs.${process.pid}.tmp`);
  rmSync(staging, { recursive: true, force: true });
  writeFileSync(join(home, 'pom.xml'), pom(version));
  const mvn = process.env.MVN ?? 'mvn';
  const run = spawnSync(
    mvn,
    [
      '-q',
      '-B',
      '-f',
      join(home, 'pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${staging}`,
      '-DincludeScope=runtime',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (run.error || run.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(
      `could not fetch org.apache.kafka:kafka_2.13:${version} from Maven Central with "${mvn}" (${run.error?.message ?? `exit ${run.status}`}); is Maven 3 installed and Maven Central reachable?\n${output}`,
    );
  }
  try {
    renameSync(staging, libs);
  } catch (error) {
    // Another process won the race; its copy is as good as ours.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(libs)) throw error;
  }
}

const WATCHDOG = `// Starts kafka.Kafka and exits, running the broker's clean shutdown, when standard input closes: the broker
// never outlives the process that started it.
public final class TwinstreamKafkaWatchdog {
  public static void main(String[] args) throws Exception {
    Thread watch = new Thread(() -> {
      try {
        while (System.in.read() != -1) { }
      } catch (java.io.IOException ignored) { }
      System.exit(0);
    }, "twinstream-parent-watchdog");
    watch.setDaemon(true);
    watch.start();
    Class.forName("kafka.Kafka").getMethod("main", String[].class).invoke(null, (Object) args);
  }
}
`;

// Class-data sharing accepts only jars on the class path, so the watchdog is compiled and packed into one.
function buildWatchdog(home: string): string | null {
  const jarFile = join(home, 'twinstream-kafka-watchdog.jar');
  if (existsSync(jarFile)) return jarFile;
  const bin = (tool: string): string => (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', tool) : tool);
  const staging = join(home, `watchdog.${process.pid}.tmp`);
  mkdirSync(join(staging, 'classes'), { recursive: true });
  writeFileSync(join(staging, 'TwinstreamKafkaWatchdog.java'), WATCHDOG);
  const javac = spawnSync(bin('javac'), [
    '-d',
    join(staging, 'classes'),
    join(staging, 'TwinstreamKafkaWatchdog.java'),
  ]);
  const jar =
    javac.status === 0
      ? spawnSync(bin('jar'), ['cf', join(staging, 'watchdog.jar'), '-C', join(staging, 'classes'), '.'])
      : javac;
  if (jar.error || jar.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    return null; // A JRE without javac still runs the broker; only the orphan guard is lost.
  }
  try {
    renameSync(join(staging, 'watchdog.jar'), jarFile);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return jarFile;
}

/**
 * Makes sure the broker jars of `version` are in the cache (fetching them with Maven the first time) and
 * returns how to launch it. Throws an error naming the missing tool (Java 17+, Maven) when it cannot.
 *
 * @example
 * const install = installKafka();
 * console.log(install.classpath);
 */
export function installKafka(version = process.env.TWINSTREAM_KAFKA_VERSION ?? KAFKA_VERSION): KafkaInstall {
  const { java, major } = findJava();
  const home = join(cacheRoot(), `kafka-${version}`);
  mkdirSync(home, { recursive: true });
  copyJars(home, version);
  const watchdog = buildWatchdog(home);
  const libs = join(home, 'libs', '*');
  return {
    version,
    home,
    java,
    javaMajor: major,
    classpath: watchdog ? `${libs}:${watchdog}` : libs,
    mainClass: watchdog ? 'TwinstreamKafkaWatchdog' : 'kafka.Kafka',
    archive: join(home, `broker-java${major}.jsa`),
  };
}

/**
 * A new KRaft cluster id: 16 random bytes, base64url without padding (what `StorageTool random-uuid` prints).
 * One id in 64 would start with '-', which the storage tool's argument parser takes for an option (`-t -x…`:
 * "expected one argument"); Kafka's own generator skips those, and so does this one.
 */
export function newClusterId(): string {
  for (;;) {
    const id = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

// `node scripts/kafka-install.ts` fetches the jars ahead of time (CI warms its cache this way).
if (import.meta.main) {
  const t0 = performance.now();
  const install = installKafka();
  console.log(`Kafka ${install.version} ready in ${install.home} (${Math.round(performance.now() - t0)} ms)`);
  execFileSync(install.java, ['-version'], { stdio: 'inherit' });
}
