/**
 * Content-Security-Policy for the renderer, served identically by Electron's app:// protocol and the web shell.
 * No remote origin is allowed anywhere: the product is offline-first. What is looser than 'self', and why:
 * - script-src 'wasm-unsafe-eval': DuckDB-Wasm compiles WebAssembly; no 'unsafe-eval', no inline script.
 * - worker-src / child-src blob:: maplibre's inlined worker and DuckDB's worker bootstrap are blob: URLs.
 * - style-src-elem: our stylesheets ('self') and exactly one inline <style>: the one Cesium's CreditDisplay inserts,
 *   allowed by its SHA-256 (CESIUM_CREDIT_STYLE; a unit test recomputes it from Cesium's source, so an upgrade that
 *   changes it fails there first). Any other injected <style> element is refused.
 * - style-src-attr 'unsafe-inline': style attributes only. Cesium's credits and ECharts' tooltips write HTML with
 *   style="…" attributes; attributes carry no selectors, so CSS-selector exfiltration needs a <style> element, which
 *   style-src-elem refuses.
 * - img-src / media-src data: blob:: canvases, generated basemaps and Cesium textures become data:/blob: images.
 * - connect-src blob:: Cesium loads imagery it was handed as blob: URLs with XMLHttpRequest (Resource.loadWithXhr;
 *   seen in Chromium). data: is no longer allowed (issue 16: nothing fetches data: URLs), nor any other origin.
 * - video origins (the camera registry's gateways, issue 20): connect-src (hls.js and mpegts.js fetch segments and FLV
 *   over fetch/WebSocket, WHEP POSTs its offer) and media-src; exactly the configured origins, nothing wider.
 * - one worker script, and only it, may evaluate strings: Cesium's KTX2/Basis transcoder (EVAL_WORKER_SCRIPTS). Its
 *   emscripten glue (embind) builds its bindings with `new Function`, which script-src without 'unsafe-eval' refuses:
 *   every KTX2 texture (`KHR_texture_basisu`, what gltf-transform etc1s and most photogrammetry converters write)
 *   failed in that worker and the model never drew, with no error shown (found by the KTX2 browser test, issue 25).
 *   A dedicated worker runs under the policy of its own script's response, so that response alone gets
 *   'unsafe-eval'; every page keeps the policy above. The worker only transcodes texture bytes handed to it.
 * Checked in Chromium over the whole console (3D, 2D, analysis, charts): no violation with this policy.
 */
export const CESIUM_CREDIT_STYLE = "'sha256-gM2CWYHXIHTu7Ts6ncwv0GMWZ9LXGrz2qqqjyuDojl8='";

/** Worker scripts (paths in the renderer build) that are served with 'unsafe-eval' in their own policy; see above. */
export const EVAL_WORKER_SCRIPTS = ['cesium/Workers/transcodeKTX2.js'] as const;

/** Whether `file` (an absolute path) is one of EVAL_WORKER_SCRIPTS in the renderer build at `rendererRoot`. */
export function isEvalWorkerScript(rendererRoot: string, file: string): boolean {
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/\/+$/, '');
  return EVAL_WORKER_SCRIPTS.some((s) => norm(file) === `${norm(rendererRoot)}/${s}`);
}

export function contentSecurityPolicy(feedOrigins: string[] = [], videoOrigins: string[] = [], opts: { evalWorker?: boolean } = {}): string {
  const feeds = feedOrigins.flatMap((o) => [o, o.replace(/^http/, 'ws')]);
  // the camera registry's gateways, exactly as configured (http(s) for HLS/HTTP-FLV/WHEP, ws(s) for WebSocket-FLV);
  // anything that is not a bare origin is left out rather than widening the policy
  const video = videoOrigins.filter((o) => /^(https?|wss?):\/\/[^\s;,'/]+$/i.test(o));
  return [
    "default-src 'self'",
    opts.evalWorker ? "script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'" : "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    "child-src 'self' blob:",
    "style-src 'self'",
    `style-src-elem 'self' ${CESIUM_CREDIT_STYLE}`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    ['media-src', "'self'", 'blob:', ...video].join(' '),
    ['connect-src', "'self'", 'blob:', ...feeds, ...video].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
