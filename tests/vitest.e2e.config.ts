import { defineConfig } from 'vitest/config';

// End-to-end tests drive Debian's Chromium (WebGL2 on Mesa llvmpipe) against the built web shell on loopback.
// One file at a time: the machine has 2 cores and a software GPU.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    environment: 'node',
    // Caps, not budgets: every wait is on a condition, and a shared CI machine has been measured 4x slower than this one
    // on software GL (a 40 s test took 170 s), so the caps are wide. Vitest's own expect.poll default (1 s) is far too
    // short for a page drawing on llvmpipe.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    expect: { poll: { timeout: 120_000, interval: 100 } },
    fileParallelism: false,
    maxWorkers: 1,
  },
});
