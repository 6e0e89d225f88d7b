import { defineConfig } from 'vitest/config';

// Caps, not budgets (tests wait on conditions): wide enough for a shared machine several times slower than this one.
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    expect: { poll: { timeout: 30_000, interval: 50 } },
  },
});
