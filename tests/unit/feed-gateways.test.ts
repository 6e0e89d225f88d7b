/**
 * Which gateway a screen goes on at when its own is unreachable (renderer/src/feed/gateways.ts), the `--peers` list
 * and the shell config's gateways (data-pipelines/contracts/shell-config.ts): pure functions, checked case by case.
 */
import { describe, expect, it } from 'vitest';
import { parsePeers, parseShellConfig } from '../../data-pipelines/contracts/shell-config.ts';
import { failoverDelayMs, gatewayIndex, gatewayLabel, nextGateway, shouldFailOver } from '../../renderer/src/feed/gateways.ts';

const A = 'http://127.0.0.1:5180';
const B = 'http://127.0.0.1:5181';
const C = 'https://127.0.0.1:5182';

describe('nextGateway', () => {
  it('goes to the next listed gateway, wrapping around', () => {
    expect(nextGateway([A, B, C], A)).toBe(B);
    expect(nextGateway([A, B, C], B)).toBe(C);
    expect(nextGateway([A, B, C], C)).toBe(A);
  });
  it("takes '' (the page's own origin) as the first listed, and compares origins loosely (case, trailing slash)", () => {
    expect(gatewayIndex([A, B], '')).toBe(0);
    expect(nextGateway([A, B], '')).toBe(B);
    expect(nextGateway([A, B], `${B.toUpperCase()}/`)).toBe(A);
  });
  it('has nowhere to go with one gateway, none, or only copies of the current one', () => {
    expect(nextGateway([], A)).toBeNull();
    expect(nextGateway([A], A)).toBeNull();
    expect(nextGateway([A], '')).toBeNull();
    expect(nextGateway([A, `${A}/`], A)).toBeNull();
  });
  it('skips duplicates of the current gateway; an unlisted current one goes to the first listed', () => {
    expect(nextGateway([A, A, B], A)).toBe(B);
    expect(gatewayIndex([A, B], C)).toBe(-1);
    expect(nextGateway([A, B], C)).toBe(A);
  });
});

describe('shouldFailOver', () => {
  it('after the given number of failed attempts in a row (default 2), and only when there is another gateway', () => {
    expect(shouldFailOver(1, [A, B], A)).toBe(false);
    expect(shouldFailOver(2, [A, B], A)).toBe(true);
    expect(shouldFailOver(5, [A], A)).toBe(false);
    expect(shouldFailOver(2, [A, B], A, 3)).toBe(false);
    expect(shouldFailOver(3, [A, B], A, 3)).toBe(true);
  });
});

describe('failoverDelayMs', () => {
  it('moves on at once during the first round, then backs off per round (doubling, capped) while every gateway fails', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((h) => failoverDelayMs(h, 2))).toEqual([0, 300, 300, 600, 600, 1200, 1200, 2400, 3000]);
    expect(failoverDelayMs(2, 3)).toBe(0);
    expect(failoverDelayMs(3, 3)).toBe(300);
    expect(failoverDelayMs(1, 0)).toBe(300);
  });
});

describe('gatewayLabel', () => {
  it('is host and port', () => {
    expect(gatewayLabel(B)).toBe('127.0.0.1:5181');
    expect(gatewayLabel('http://[::1]:5183/')).toBe('[::1]:5183');
  });
});

describe('--peers and ShellConfig.gateways', () => {
  it('parses a comma list of http(s) origins, a trailing slash allowed', () => {
    expect(parsePeers(`${B}/, ${C}`)).toEqual([B, C]);
  });
  it('refuses anything else with a clear error', () => {
    expect(() => parsePeers('')).toThrow(/--peers takes http/);
    expect(() => parsePeers('127.0.0.1:5181')).toThrow(/127\.0\.0\.1:5181 is not an http\(s\):\/\/HOST:PORT/);
    expect(() => parsePeers(`${B}/feed`)).toThrow(/no path/);
    expect(() => parsePeers('ws://127.0.0.1:5181')).toThrow(/not an http/);
    expect(() => parsePeers('--page-key')).toThrow(/--peers/);
  });
  it('a config without gateways (an older server) still parses; a bad gateway entry is refused', () => {
    const base = { shell: 'web', feedUrl: '', assetsBase: '/assets/district/', appVersion: '1.0.0', simulated: true };
    expect(parseShellConfig(base)).toEqual(base);
    expect(parseShellConfig({ ...base, feedToken: 'x', gateways: [A, B] }).gateways).toEqual([A, B]);
    expect(() => parseShellConfig({ ...base, gateways: ['javascript:alert(1)'] })).toThrow(/config: gateways\.0: a gateway is an http\(s\) origin/);
    expect(() => parseShellConfig({ ...base, simulated: 'yes' })).toThrow(/config: simulated/);
  });
});
