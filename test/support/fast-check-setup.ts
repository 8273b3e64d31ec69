import fc from 'fast-check';

/**
 * fast-check for every test file (vitest `setupFiles`). A failing property throws with
 * its counterexample and `{ seed, path }`; nothing in the suite catches that error, so
 * vitest prints it. To replay a failure, or to search harder (issue 9):
 *
 *   FC_SEED=-440469901 npx vitest run test/unit/modbus-encode.golden.test.ts -t round
 *   FC_SEED=… FC_PATH=… …      the exact counterexample, shrunk
 *   FC_NUM_RUNS=20000 npx vitest run test/unit     harder, where a property sets no numRuns
 *
 * A seed or path applies to every property of the run, so name one test with `-t`.
 */
const env = process.env;
const seed = env.FC_SEED === undefined ? undefined : Number(env.FC_SEED);
const numRuns = env.FC_NUM_RUNS === undefined ? undefined : Number(env.FC_NUM_RUNS);
fc.configureGlobal({
  ...(seed === undefined ? {} : { seed }),
  ...(env.FC_PATH === undefined ? {} : { path: env.FC_PATH }),
  ...(numRuns === undefined ? {} : { numRuns }),
  // The counterexample and what failed, even when a property's own numRuns or the global
  // ones make the run long: enough to reproduce without rerunning in verbose mode.
  verbose: 1,
});
