/** Types of scripts/build-web.mjs for the TypeScript callers (the browser tests, the bench). */
export function buildWeb(options?: {
  ifStale?: boolean;
  quiet?: boolean;
}): Promise<{ built: false } | { built: true; js: string; css: string }>;
