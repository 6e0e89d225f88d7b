/**
 * What the end-to-end tests need from the system before `npm test` spends minutes on typecheck, lint and build:
 * Debian's Chromium (driven by playwright-core), Mesa's software GL for WebGL2, and a CJK font for the golden images.
 * The decision is a pure function (unit-tested); scripts/test-all.ts acts on it in its first second.
 */

/** The Debian packages the test run uses (the same list .ci/run installs): the browser tests' Chromium and GL, the MQTT broker and the openssl the sources tests use, the NATS JetStream server the cluster-log tests use, the ffmpeg that makes the video-wall tests' live camera streams. */
export const E2E_APT_PACKAGES = ['chromium', 'fonts-wqy-microhei', 'libegl-mesa0', 'libgl1-mesa-dri', 'mosquitto', 'nats-server', 'openssl', 'ffmpeg'] as const;
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export interface E2eHost {
  /** CHROMIUM_PATH if set (then only that file is checked), else the Debian path */
  chromiumPath: string;
  chromiumFromEnv: boolean;
  exists: (path: string) => boolean;
  /** Debian packages of E2E_APT_PACKAGES that are not installed; null when dpkg is not available (not Debian) */
  missingPackages: string[] | null;
  /** can run apt-get: 'root' as root, 'sudo' with passwordless sudo, null otherwise */
  privilege: 'root' | 'sudo' | null;
  hasAptGet: boolean;
}

export type E2ePlan = { action: 'ok' } | { action: 'install'; commands: string[][]; packages: string[] } | { action: 'stop'; message: string };

/** The command a person runs to install the packages (printed exactly when we cannot run it ourselves). */
export function installCommand(packages: readonly string[], sudo: boolean): string {
  const s = sudo ? 'sudo ' : '';
  return `${s}apt-get update && ${s}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

export function e2ePlan(host: E2eHost): E2ePlan {
  if (host.chromiumFromEnv) {
    return host.exists(host.chromiumPath)
      ? { action: 'ok' }
      : {
          action: 'stop',
          message: `CHROMIUM_PATH=${host.chromiumPath} does not exist. Point CHROMIUM_PATH at a Chromium executable, or unset it to use Debian's ${DEFAULT_CHROMIUM}.`,
        };
  }
  const missing = host.missingPackages ?? (host.exists(host.chromiumPath) ? [] : ['chromium']);
  if (!missing.length && host.exists(host.chromiumPath)) return { action: 'ok' };
  const pkgs = missing.length ? missing : ['chromium'];
  if (host.hasAptGet && host.privilege) {
    const pre = host.privilege === 'sudo' ? ['sudo', '-n'] : [];
    return {
      action: 'install',
      packages: pkgs,
      commands: [
        [...pre, 'apt-get', 'update', '-qq'],
        [...pre, 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...pkgs],
      ],
    };
  }
  const what = host.exists(host.chromiumPath)
    ? `the Debian packages ${pkgs.join(', ')} are missing`
    : `Chromium is not installed (${host.chromiumPath} is missing)`;
  const list = host.missingPackages ? pkgs : E2E_APT_PACKAGES;
  const how = host.hasAptGet
    ? `Install them, then run npm test again:\n\n    ${installCommand(list, true)}\n`
    : `On Debian/Ubuntu:\n\n    ${installCommand(E2E_APT_PACKAGES, true)}\n\nelsewhere install Chromium and set CHROMIUM_PATH=/path/to/chromium.`;
  return {
    action: 'stop',
    message: `The end-to-end tests drive Debian's Chromium, but ${what}. ${how}\n(SKIP_E2E=1 npm test runs everything but the browser tests; never in CI.)`,
  };
}
