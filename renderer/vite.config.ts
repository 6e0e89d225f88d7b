import { cpSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const outDir = resolve(root, 'dist/renderer');

/** Cesium loads workers and assets at run time from CESIUM_BASE_URL: ship them locally, never from a CDN. */
function copyCesiumStatic(): Plugin {
  return {
    name: 'redwall-copy-cesium',
    apply: 'build',
    closeBundle() {
      const src = resolve(root, 'node_modules/cesium/Build/Cesium');
      if (!existsSync(src)) throw new Error(`Cesium build not found at ${src}`);
      for (const dir of ['Workers', 'Assets', 'ThirdParty']) cpSync(resolve(src, dir), resolve(outDir, 'cesium', dir), { recursive: true });
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  publicDir: false,
  plugins: [copyCesiumStatic()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 8000,
    sourcemap: false,
    assetsInlineLimit: 0,
  },
  worker: { format: 'es' },
});
