/**
 * What a page is told about its host at start (electron/bridge's getConfig): shared by Electron main, which hands it
 * over IPC, and the feed server, which answers it to the web shell's page (POST /api/config). Types only.
 */
export interface ShellConfig {
  /** 'electron' when running in the desktop app, 'web' in the browser web shell */
  shell: 'electron' | 'web';
  /** socket.io feed origin; '' means same origin as the page */
  feedUrl: string;
  /** base URL of the district data package (manifest.json, *.arrow) */
  assetsBase: string;
  appVersion: string;
  /** true when the feed is the embedded simulator (demo), shown to the operator */
  simulated: boolean;
  /**
   * The page's credential for the feed (socket.io auth): always the duty operator (masked data only). Electron: the
   * shared token, over IPC only. Web shell: a credential of the page's own, got once for the one-time nonce embedded
   * in the page it was navigated to (docs/security.md). Omitted when the feed runs without authentication.
   */
  feedToken?: string;
  /** the published demo accounts may sign in (`--demo`): the sign-in screen says so */
  demoAccounts?: boolean;
}
