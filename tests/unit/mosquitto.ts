/**
 * A real Debian `mosquitto` broker for tests: on a free loopback port, in its own temp folder, stopped afterwards.
 * `stop()` then `start()` again keeps the port (a broker that went away and came back).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export interface Broker {
  port: number;
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** broker log so far (for failure messages) */
  log(): string;
}

/**
 * Starts mosquitto with settings a RedWall gateway needs (docs/sources.md): anonymous on loopback for tests, no
 * limit on messages queued for a persistent session while the gateway is away, in-flight window raised.
 */
export async function startBroker(opts: { secure?: (dir: string) => string[] } = {}): Promise<Broker & { dir: string }> {
  if (!MOSQUITTO) throw new Error('mosquitto is not installed: sudo apt-get install -y mosquitto (.ci/run does)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'redwall-mosq-'));
  const conf = join(dir, 'mosquitto.conf');
  // `secure` gives the listener's TLS and auth lines (certificates, password_file, allow_anonymous false)
  const auth = opts.secure ? opts.secure(dir) : ['allow_anonymous true'];
  // started as root (CI), mosquitto drops to its own user: it must be able to read the folder's files
  chmodSync(dir, 0o755);
  for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644);
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      ...auth,
      'persistence false',
      'max_queued_messages 0',
      'max_inflight_messages 0',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
    ].join('\n') + '\n',
  );
  let proc: ChildProcess | null = null;
  let out = '';
  const broker: Broker & { dir: string } = {
    dir,
    port,
    url: `${opts.secure ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    async start() {
      proc = spawn(MOSQUITTO!, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
      // never outlive the test process, even when it exits without stopping us (a crash, process.exit)
      const p = proc;
      const reap = () => p.kill('SIGKILL');
      process.once('exit', reap);
      p.once('exit', () => process.off('exit', reap));
      proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      for (let i = 0; i < 400; i++) {
        if (await portOpen(port)) return;
        if (proc.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`mosquitto did not start on ${port}: ${out.slice(-2000)}`);
    },
    async stop() {
      const p = proc;
      proc = null;
      if (!p || p.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        p.once('exit', () => resolve());
        p.kill('SIGTERM');
      });
    },
    log: () => out,
  };
  await broker.start();
  return broker;
}

/** Polls `cond` until true (tests wait on conditions, not wall-clock budgets; the test timeout bounds it). */
export async function until(cond: () => boolean | Promise<boolean>, everyMs = 50): Promise<void> {
  for (;;) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
