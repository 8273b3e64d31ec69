import { buildWeb } from '../../scripts/build-web.mjs';

/**
 * Builds the console once before any test file runs, when web/ changed since the last
 * build: the browser tests and the serving test then find web/dist complete, and two
 * workers never build it at the same time.
 */
export default async function setup(): Promise<void> {
  await buildWeb({ ifStale: true, quiet: true });
}
