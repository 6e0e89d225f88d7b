import { defineConfig } from 'vitest/config';

// End-to-end tests drive Debian's Chromium (WebGL2 on Mesa llvmpipe) against the built web shell on loopback.
// One file at a time: the machine has 2 cores and a software GPU.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
