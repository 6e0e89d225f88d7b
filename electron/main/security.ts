/**
 * Electron security policy as pure functions (unit-tested under Node): the checklist from Electron's security guide —
 * context isolation, sandbox, no Node in the renderer, custom app:// protocol, strict CSP, navigation and new
 * windows denied, IPC sender validated, permissions denied by default.
 */
import { join } from 'node:path';
import { resolveInside } from '../../data-pipelines/feed/static-files.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'redwall';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

export interface SecureWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  experimentalFeatures: false;
  navigateOnDragDrop: false;
  spellcheck: false;
  safeDialogs: true;
}

export function secureWebPreferences(preload: string): SecureWebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
  };
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Only our own origin may be loaded in the window: everything else (http, file, other schemes) is denied. */
export function isAppUrl(url: string): boolean {
  const u = parse(url);
  return !!u && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && !u.username && !u.password;
}

/** Navigation away from the app is never allowed (in-page reloads of our own origin are). */
export function isAllowedNavigation(url: string): boolean {
  return isAppUrl(url);
}

/** IPC is answered only for our own top-level frame. */
export function isTrustedSender(frame: { url: string; parent?: unknown } | null | undefined): boolean {
  if (!frame) return false;
  if (frame.parent) return false; // sub-frames never talk to main
  return isAppUrl(frame.url);
}

/** Permissions a command-center UI legitimately needs; everything else (camera, mic, geolocation, …) is denied. */
const ALLOWED_PERMISSIONS = new Set(['fullscreen', 'clipboard-sanitized-write']);
export function isAllowedPermission(permission: string, requestingUrl: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isAppUrl(requestingUrl);
}

/**
 * Permission checks (setPermissionCheckHandler) get an origin, not a URL: the same rule, for our origin exactly.
 * Without this handler Electron answers every check "granted" (e.g. navigator.permissions.query, device APIs).
 */
export function isAllowedPermissionCheck(permission: string, requestingOrigin: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && requestingOrigin.replace(/\/$/, '') === APP_ORIGIN;
}

export interface AppRoots {
  renderer: string;
  assets: string;
}

/** Maps an app:// URL to a file: /assets/district/* from the data package, anything else from the renderer build. */
export function resolveAppRequest(url: string, roots: AppRoots): string | null {
  if (!isAppUrl(url)) return null;
  const path = new URL(url).pathname;
  if (path.startsWith('/assets/district/')) return resolveInside(roots.assets, path.slice('/assets/district'.length));
  return resolveInside(roots.renderer, path);
}

export function defaultRoots(appPath: string): AppRoots {
  return { renderer: join(appPath, 'dist/renderer'), assets: join(appPath, 'assets/district') };
}
