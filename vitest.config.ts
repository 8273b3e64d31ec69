import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // fast-check: failures print seed and path; FC_SEED / FC_PATH / FC_NUM_RUNS replay or widen.
    setupFiles: ['test/support/fast-check-setup.ts'],
    testTimeout: 30_000,
    // Hooks start and stop real servers (influxd, mosquitto, victoria-metrics).
    hookTimeout: 60_000,
    // Separate processes, so a crashed worker takes its servers with it (see test/support/process.ts).
    pool: 'forks',
    // Files still run in parallel, but at most two at once: CI machines have two cores and
    // every integration file starts its own servers.
    maxWorkers: 2,
  },
});
