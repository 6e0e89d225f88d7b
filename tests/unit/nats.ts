/**
 * Real Debian `nats-server` (JetStream) for tests: one node, or a cluster of three (routes between them), on free
 * loopback ports with temporary storage; each node can be killed (-9) and started again on its ports and storage.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './mosquitto.ts';

export const NATS_SERVER = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p));

export interface NatsNode {
  name: string;
  port: number;
  url: string;
  start(): Promise<void>;
  /** kill -9 */
  kill(): Promise<void>;
  stop(): Promise<void>;
  log(): string;
}

async function ready(port: number, proc: ChildProcess, out: () => string): Promise<void> {
  // the monitoring-free way: JetStream is ready once the server says so
  for (let i = 0; i < 600; i++) {
    if (/Server is ready/.test(out())) return;
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server did not start on ${port}: ${out().slice(-2000)}`);
}

function node(name: string, conf: string, port: number): NatsNode {
  let proc: ChildProcess | null = null;
  let out = '';
  return {
    name,
    port,
    url: `nats://127.0.0.1:${port}`,
    async start() {
      out = '';
      const p = spawn(NATS_SERVER!, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
      proc = p;
      const reap = () => p.kill('SIGKILL');
      process.once('exit', reap);
      p.once('exit', () => process.off('exit', reap));
      p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      await ready(port, p, () => out);
    },
    async kill() {
      const p = proc;
      proc = null;
      if (!p || p.exitCode !== null) return;
      await new Promise<void>((r) => {
        p.once('exit', () => r());
        p.kill('SIGKILL');
      });
    },
    async stop() {
      const p = proc;
      proc = null;
      if (!p || p.exitCode !== null) return;
      await new Promise<void>((r) => {
        p.once('exit', () => r());
        p.kill('SIGTERM');
      });
    },
    log: () => out,
  };
}

/** One JetStream node. */
export async function startNats(): Promise<NatsNode> {
  if (!NATS_SERVER) throw new Error('nats-server is not installed: apt-get install -y nats-server (.ci/run does)');
  const dir = mkdtempSync(join(tmpdir(), 'redwall-nats-'));
  const port = await freePort();
  const conf = join(dir, 'nats.conf');
  writeFileSync(conf, `listen: 127.0.0.1:${port}\nserver_name: n1\njetstream { store_dir: "${join(dir, 'js')}" }\n`);
  const n = node('n1', conf, port);
  await n.start();
  return n;
}

/** Three JetStream nodes in one cluster (R3 streams survive losing one). */
export async function startNatsCluster(): Promise<NatsNode[]> {
  if (!NATS_SERVER) throw new Error('nats-server is not installed: apt-get install -y nats-server (.ci/run does)');
  const dir = mkdtempSync(join(tmpdir(), 'redwall-natsc-'));
  const ports = await Promise.all([0, 1, 2].map(() => freePort()));
  const routes = await Promise.all([0, 1, 2].map(() => freePort()));
  const nodes = [0, 1, 2].map((i) => {
    const conf = join(dir, `n${i + 1}.conf`);
    writeFileSync(
      conf,
      [
        `listen: 127.0.0.1:${ports[i]}`,
        `server_name: n${i + 1}`,
        `jetstream { store_dir: "${join(dir, `js${i + 1}`)}" }`,
        `cluster { name: redwall, listen: 127.0.0.1:${routes[i]}, routes: [${routes.map((p) => `nats-route://127.0.0.1:${p}`).join(', ')}] }`,
      ].join('\n') + '\n',
    );
    return node(`n${i + 1}`, conf, ports[i]!);
  });
  await Promise.all(nodes.map((n) => n.start()));
  return nodes;
}
