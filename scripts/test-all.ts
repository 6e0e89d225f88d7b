/**
 * npm test: the whole gate, in order — typecheck, lint, format (Prettier), build (data + renderer + Electron bundles), unit tests,
 * end-to-end tests in Debian Chromium. Prints one closing line "tests: N passed, M failed".
 * Set SKIP_E2E=1 to skip the browser tests (never in CI). Without Debian's Chromium it installs it (as root or with
 * passwordless sudo) or stops in its first second with the exact apt-get command (scripts/e2e-prereqs.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_CHROMIUM, E2E_APT_PACKAGES, e2ePlan, installCommand } from './e2e-prereqs.ts';

const root = resolve(import.meta.dirname, '..');
mkdirSync(resolve(root, 'test-results'), { recursive: true });

// First second: the browser tests need Debian's Chromium. Install it when we can (root or passwordless sudo, with
// apt-get), else stop now with the exact command — not after minutes of typecheck, lint and build.
if (process.env['SKIP_E2E'] !== '1') {
  const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  const dpkg = spawnSync('dpkg-query', ['-W', '-f', '${Package} ${db:Status-Status}\\n', ...E2E_APT_PACKAGES], { encoding: 'utf8' });
  const installed = new Set(
    (dpkg.stdout ?? '')
      .split('\n')
      .filter((l) => l.endsWith(' installed'))
      .map((l) => l.split(' ')[0]),
  );
  const envPath = process.env['CHROMIUM_PATH'];
  const plan = e2ePlan({
    chromiumPath: envPath || DEFAULT_CHROMIUM,
    chromiumFromEnv: !!envPath,
    exists: existsSync,
    missingPackages: dpkg.error ? null : E2E_APT_PACKAGES.filter((p) => !installed.has(p)),
    privilege: process.getuid?.() === 0 ? 'root' : has('sudo', ['-n', 'true']) ? 'sudo' : null,
    hasAptGet: has('apt-get', ['--version']),
  });
  if (plan.action === 'install') {
    console.log(`=== e2e prerequisites: installing Debian packages ${plan.packages.join(' ')}`);
    for (const cmd of plan.commands) {
      console.log(`> ${cmd.join(' ')}`);
      const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      if (r.status !== 0) {
        console.error(
          `\n"${cmd.join(' ')}" failed (exit ${r.status}). Install the packages yourself, then run npm test again:\n\n    ${installCommand(plan.packages, process.getuid?.() !== 0)}\n\n(SKIP_E2E=1 npm test runs everything but the browser tests; never in CI.)`,
        );
        console.log('\ntests: 0 passed, 1 failed, 0 skipped');
        process.exit(1);
      }
    }
    if (!existsSync(envPath || DEFAULT_CHROMIUM)) {
      console.error(`apt-get installed ${plan.packages.join(' ')} but ${envPath || DEFAULT_CHROMIUM} is still missing.`);
      process.exit(1);
    }
  } else if (plan.action === 'stop') {
    console.error(`\n${plan.message}\n`);
    console.log('tests: 0 passed, 1 failed, 0 skipped');
    process.exit(1);
  }
}

function step(name: string, cmd: string, args: string[]): boolean {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  console.log(`=== ${name}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return r.status === 0;
}

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTotalTests: number;
}
function counts(file: string): VitestJson | null {
  const p = resolve(root, 'test-results', file);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as VitestJson) : null;
}

let ok = true;
ok = step('typecheck', 'npm', ['run', '--silent', 'typecheck']) && ok;
ok = step('lint', 'npm', ['run', '--silent', 'lint']) && ok;
ok = step('format', 'npm', ['run', '--silent', 'format:check']) && ok; // Prettier (.prettierrc.json): `npm run format` fixes
const built = step('build', 'npm', ['run', '--silent', 'build']);
ok = built && ok;
ok =
  step('unit', 'npx', [
    'vitest',
    'run',
    '--config',
    'tests/vitest.unit.config.ts',
    '--reporter=default',
    '--reporter=json',
    '--outputFile.json=test-results/unit.json',
  ]) && ok;
const e2e = process.env['SKIP_E2E'] !== '1' && built;
if (e2e)
  ok =
    step('e2e', 'npx', [
      'vitest',
      'run',
      '--config',
      'tests/vitest.e2e.config.ts',
      '--reporter=default',
      '--reporter=json',
      '--outputFile.json=test-results/e2e.json',
    ]) && ok;

let passed = 0;
let failed = 0;
let skipped = 0;
for (const f of ['unit.json', ...(e2e ? ['e2e.json'] : [])]) {
  const c = counts(f);
  if (!c) {
    failed++;
    console.log(`no results in test-results/${f}`);
    continue;
  }
  passed += c.numPassedTests;
  failed += c.numFailedTests;
  skipped += c.numPendingTests;
}
if (!ok && failed === 0) failed = 1; // a failed typecheck/lint/build step counts as a failure
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(ok && failed === 0 && passed > 0 ? 0 : 1);
