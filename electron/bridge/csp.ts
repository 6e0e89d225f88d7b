/**
 * Content-Security-Policy for the renderer, served identically by Electron's app:// protocol and the web shell.
 * No remote origin is allowed anywhere: the product is offline-first. 'wasm-unsafe-eval' is needed for DuckDB-Wasm;
 * blob: workers for maplibre's inlined worker; no 'unsafe-eval'.
 */
export function contentSecurityPolicy(feedOrigins: string[] = []): string {
  const feeds = feedOrigins.flatMap((o) => [o, o.replace(/^http/, 'ws')]);
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    "child-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' blob:",
    ['connect-src', "'self'", 'data:', 'blob:', ...feeds].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
