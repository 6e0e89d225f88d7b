/**
 * The renderer's Content-Security-Policy, defined in data-pipelines/contracts/csp.ts (the feed server's web shell serves
 * the same policy, and data-pipelines imports nothing from electron/). Re-exported here for Electron's app:// protocol.
 */
export { CESIUM_CREDIT_STYLE, contentSecurityPolicy, isEvalWorkerScript } from '../../data-pipelines/contracts/csp.ts';
