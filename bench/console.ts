/**
 * The console's first screen (issue 13 item 8): time from navigation to the first screen
 * drawn with its data, in chromium, against the whole demo network on the simulator.
 *
 *   npx tsx bench/console.ts [--loads 10] [--screenshots]
 *
 * Each load is a fresh page (cold JavaScript parse, warm HTTP cache off). It reports
 * domInteractive (the bundle parsed and run) and the `heatnet:first-data` mark (the
 * first screen's data in and drawn), median and worst. With --screenshots it also writes
 * docs/console-en.png and docs/console-zh.png once every substation is judged.
 */
import { parseArgs } from 'node:util';
import { openConsole, startConsoleRig } from '../test/browser/console-harness.ts';
import { eventually } from '../test/support/config.ts';

const { values } = parseArgs({
  options: { loads: { type: 'string', default: '10' }, screenshots: { type: 'boolean' } },
});
const LOADS = Number(values.loads);

const rig = await startConsoleRig();
try {
  const http = await rig.app.http();
  await eventually(
    async () => (await http.inject({ url: '/api/balance' })).json().counts['no-data'] === 0,
    { timeoutMs: 90_000, what: 'every substation judged' },
  );
  const figures: { interactive: number; firstData: number }[] = [];
  for (let i = 0; i < LOADS; i++) {
    const { page } = await openConsole(rig);
    await page.locator('.map [data-station]').first().waitFor({ timeout: 30_000 });
    await page.waitForFunction('performance.getEntriesByName("heatnet:first-data").length > 0');
    figures.push(
      await page.evaluate<{ interactive: number; firstData: number }>(`({
        interactive: performance.getEntriesByType('navigation')[0].domInteractive,
        firstData: performance.getEntriesByName('heatnet:first-data')[0].startTime,
      })`),
    );
    await page.close();
  }
  const stat = (key: 'interactive' | 'firstData') => {
    const v = figures.map((f) => f[key]).sort((a, b) => a - b);
    return `median ${v[Math.floor(v.length / 2)]!.toFixed(0)} ms, worst ${v[v.length - 1]!.toFixed(0)} ms`;
  };
  console.log(`loads: ${LOADS}`);
  console.log(`domInteractive: ${stat('interactive')}`);
  console.log(`first screen with data: ${stat('firstData')}`);
  if (values.screenshots) {
    for (const lang of ['en', 'zh'] as const) {
      const { page } = await openConsole(rig, { lang });
      await page.locator('[data-testid="live"][data-state="open"]').waitFor({ timeout: 30_000 });
      await page.locator('.map [data-station]').first().waitFor({ timeout: 30_000 });
      await page.screenshot({ path: `docs/console-${lang}.png`, fullPage: true });
      await page.close();
    }
    console.log('screenshots: docs/console-en.png, docs/console-zh.png');
  }
} finally {
  await rig.close();
}
