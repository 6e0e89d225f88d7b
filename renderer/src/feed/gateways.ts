/**
 * Which feed gateway a screen goes on at when its own is unreachable (a cluster, `--peers`): the shell config lists
 * the gateways, the one that served the page first. Pure functions; the feed client (client.ts) does the switching.
 */

/** Origins compare case-insensitively, without a trailing slash; '' (the page's own origin) is the first listed. */
function norm(url: string): string {
  return url.trim().replace(/\/+$/, '').toLowerCase();
}

/** Where `current` is in the list: '' (same origin as the page) is the first gateway; -1 when not listed. */
export function gatewayIndex(gateways: readonly string[], current: string): number {
  if (current === '') return gateways.length ? 0 : -1;
  const c = norm(current);
  return gateways.findIndex((g) => norm(g) === c);
}

/**
 * The gateway after `current` in the list (wrapping around), skipping duplicates of the current one; null when
 * there is no other gateway to go to. A current gateway that is not listed goes to the first listed.
 */
export function nextGateway(gateways: readonly string[], current: string): string | null {
  const i = gatewayIndex(gateways, current);
  const here = i >= 0 ? norm(gateways[i]!) : norm(current);
  const start = i >= 0 ? i + 1 : 0;
  for (let k = 0; k < gateways.length; k++) {
    const g = gateways[(start + k) % gateways.length]!;
    if (norm(g) !== here && norm(g) !== '') return g;
  }
  return null;
}

/**
 * Whether to leave the current gateway: it failed `failures` connection attempts in a row (a dead gateway refuses
 * every one; a gateway that answers, even with a refusal of our credential, is not unreachable) and there is another.
 */
export function shouldFailOver(failures: number, gateways: readonly string[], current: string, after = 2): boolean {
  return failures >= after && nextGateway(gateways, current) !== null;
}

/** The short name of a gateway shown in the status bar: its host and port. */
export function gatewayLabel(url: string): string {
  const m = /^[a-z]+:\/\/([^/]+)/i.exec(url.trim());
  return m ? m[1]! : url;
}

/**
 * How long to wait before opening the next gateway after `hops` failovers in a row without a connection, among `n`
 * gateways: the first round goes at once (a screen moves on as soon as its gateway is found dead); once every listed
 * gateway has failed, each round waits twice as long as the one before, up to `maxMs`, so a cluster that is all down
 * is not hammered.
 */
export function failoverDelayMs(hops: number, n: number, baseMs = 300, maxMs = 3_000): number {
  const rounds = Math.floor(hops / Math.max(n, 1));
  return rounds < 1 ? 0 : Math.min(baseMs * 2 ** (rounds - 1), maxMs);
}
