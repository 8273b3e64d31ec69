import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.mjs';
import type { Simulator } from '../../simulators/simulator.ts';
import type { HeatnetApp } from '../../src/app.ts';
import type { Config } from '../../src/config/schema.ts';
import { TEST_TOKENS } from '../support/config.ts';
import { BALANCE_AT_60X, simulatedDemo } from '../support/simulated-demo.ts';

export const VIEWER_TOKEN = 'test-viewer-token-0000005';
export const TOKENS = {
  viewer: VIEWER_TOKEN,
  dispatcher: TEST_TOKENS.HEATNET_DISPATCH_TOKEN,
  service: TEST_TOKENS.HEATNET_SERVICE_TOKEN,
};
/** Where screenshots and figures go (gitignored). */
export const ARTIFACTS = join('test-artifacts', 'console');

export interface ConsoleRig {
  config: Config;
  app: HeatnetApp;
  sim: Simulator;
  origin: string;
  browser: BrowserContext;
  close(): Promise<void>;
}

/**
 * The whole demo network on the simulator at 60× (a balance evaluation every two real
 * seconds), the service listening on a free port, and Debian's chromium driven by
 * playwright-core with a fresh profile. The console is built first when it is stale.
 */
export async function startConsoleRig(): Promise<ConsoleRig> {
  await buildWeb({ ifStale: true, quiet: true });
  const { config, sim, app } = await simulatedDemo({
    ...BALANCE_AT_60X,
    // Changes every 10 real seconds at most, so the apply test meets no "too soon".
    control: { minIntervalS: 600, settlingMin: 60 },
    patch: (raw) => {
      raw.api.tokens = [
        ...raw.api.tokens,
        { name: 'test-viewer', token: VIEWER_TOKEN, role: 'viewer' },
      ];
    },
  });
  await app.start();
  await sim.start();
  const address = await app.listen();
  const profile = mkdtempSync(join(tmpdir(), 'heatnet-chromium-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1920, height: 1080 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 60_000,
  });
  return {
    config,
    app,
    sim,
    origin: address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1'),
    browser,
    async close() {
      await browser.close().catch(() => {});
      await sim.stop();
      await app.stop();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What a page did that a test must see: console errors, failed and off-origin requests. */
export interface PageRecord {
  errors: string[];
  failed: string[];
  offOrigin: string[];
  posts: string[];
}

export async function openConsole(
  rig: ConsoleRig,
  options: { lang?: 'en' | 'zh'; token?: string; hash?: string } = {},
): Promise<{ page: Page; record: PageRecord }> {
  const page = await rig.browser.newPage();
  const record: PageRecord = { errors: [], failed: [], offOrigin: [], posts: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') record.errors.push(m.text());
  });
  page.on('pageerror', (e) => record.errors.push(String(e)));
  page.on('requestfailed', (r) =>
    record.failed.push(`${r.method()} ${r.url()} ${r.failure()?.errorText}`),
  );
  page.on('request', (r) => {
    if (!r.url().startsWith(rig.origin) && !r.url().startsWith('data:'))
      record.offOrigin.push(r.url());
    if (r.method() === 'POST') record.posts.push(r.url());
  });
  // The language remembered and the session's token, as a person would have left them.
  const lang = JSON.stringify(options.lang ?? 'en');
  const token = JSON.stringify(options.token ?? '');
  await page.addInitScript({
    content: `localStorage.setItem('heatnet.lang', ${lang});
      if (${token}) sessionStorage.setItem('heatnet.token', ${token});`,
  });
  await page.goto(`${rig.origin}/${options.hash ?? ''}`);
  return { page, record };
}
