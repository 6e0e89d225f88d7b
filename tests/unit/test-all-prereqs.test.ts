/**
 * `npm test` on a machine without Chromium (issue 16.17): it installs Debian's packages when it can (root or
 * passwordless sudo, apt-get present) or stops before typecheck/lint/build with the exact command to run.
 * The decision is pure (e2ePlan); the last test runs the real scripts/test-all.ts with a missing CHROMIUM_PATH and
 * checks that it stops before its first step (it is killed at once if it ever starts one).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { E2E_APT_PACKAGES, e2ePlan, type E2eHost } from '../../scripts/e2e-prereqs.ts';
import { MOSQUITTO } from './mosquitto.ts';
import { NATS_SERVER } from './nats.ts';
import { FFMPEG, FFPROBE } from './video-streams.ts';

const ROOT = join(import.meta.dirname, '../..');
const host = (o: Partial<E2eHost>): E2eHost => ({
  chromiumPath: '/usr/bin/chromium',
  chromiumFromEnv: false,
  exists: () => true,
  missingPackages: [],
  privilege: null,
  hasAptGet: true,
  ...o,
});

describe('e2e prerequisites', () => {
  it('goes ahead when Chromium and the packages are there', () => {
    expect(e2ePlan(host({}))).toEqual({ action: 'ok' });
    expect(e2ePlan(host({ chromiumFromEnv: true, chromiumPath: '/opt/chrome/chrome', missingPackages: ['chromium'] }))).toEqual({ action: 'ok' });
  });

  it('installs the missing Debian packages as root, or with sudo -n', () => {
    const missing = host({ exists: () => false, missingPackages: ['chromium', 'fonts-wqy-microhei'], privilege: 'root' });
    expect(e2ePlan(missing)).toEqual({
      action: 'install',
      packages: ['chromium', 'fonts-wqy-microhei'],
      commands: [
        ['apt-get', 'update', '-qq'],
        ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-wqy-microhei'],
      ],
    });
    const p = e2ePlan({ ...missing, privilege: 'sudo' });
    expect(p.action === 'install' && p.commands.every((c) => c[0] === 'sudo' && c[1] === '-n')).toBe(true);
  });

  it('stops with the exact apt-get command when it cannot install', () => {
    const p = e2ePlan(host({ exists: () => false, missingPackages: ['chromium'], privilege: null }));
    expect(p.action).toBe('stop');
    expect(p.action === 'stop' && p.message).toContain('sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium');
    const notDebian = e2ePlan(host({ exists: () => false, missingPackages: null, hasAptGet: false }));
    expect(notDebian.action === 'stop' && notDebian.message).toMatch(/CHROMIUM_PATH=/);
    expect(notDebian.action === 'stop' && notDebian.message).toContain(E2E_APT_PACKAGES.join(' '));
  });

  it('a CHROMIUM_PATH that does not exist stops at once, naming it', () => {
    const p = e2ePlan(host({ chromiumFromEnv: true, chromiumPath: '/nowhere/chromium', exists: () => false, privilege: 'root' }));
    expect(p).toEqual({ action: 'stop', message: expect.stringContaining('CHROMIUM_PATH=/nowhere/chromium does not exist') });
  });

  it('checks and installs (.ci/run) the Debian packages of every binary the tests start, ffmpeg included', () => {
    const ci = /^APT_PKGS=\(([^)]*)\)/m.exec(readFileSync(join(ROOT, '.ci/run'), 'utf8'));
    const ciPkgs = ci![1]!.trim().split(/\s+/);
    for (const p of E2E_APT_PACKAGES) expect(ciPkgs, `.ci/run installs ${p}`).toContain(p);
    // the binaries the test helpers spawn (tests/unit/mosquitto.ts, nats.ts, video-streams.ts) and the packages they come from
    const bins = { mosquitto: MOSQUITTO, 'nats-server': NATS_SERVER, ffmpeg: FFMPEG, ffprobe: FFPROBE, openssl: '/usr/bin/openssl' };
    for (const [name, path] of Object.entries(bins)) {
      expect(path, `${name} is installed`).toBeTruthy();
      const owner = spawnSync('dpkg-query', ['-S', path!], { encoding: 'utf8' });
      expect(owner.status, owner.stderr).toBe(0);
      expect(E2E_APT_PACKAGES, `${path} comes from a checked package`).toContain(owner.stdout.split(':')[0]);
    }
  });

  it('npm test stops before typecheck, lint and build when Chromium is missing', { timeout: 120_000 }, async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, CHROMIUM_PATH: '/nowhere/redwall-test/chromium' };
    delete env['SKIP_E2E'];
    const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['scripts/test-all.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      // a first step started: the check did not stop it (never let it go on to rebuild dist/)
      if (out.includes('=== typecheck')) child.kill('SIGKILL');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(out).not.toContain('=== typecheck');
    expect(code).toBe(1);
    expect(out).toContain('CHROMIUM_PATH=/nowhere/redwall-test/chromium does not exist');
    expect(out).toContain('tests: 0 passed, 1 failed');
  });
});
