import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BalanceResultView } from '../../src/api/schemas-balance.ts';
import { eventually } from '../support/config.ts';
import {
  ARTIFACTS,
  type ConsoleRig,
  openConsole,
  startConsoleRig,
  TOKENS,
} from './console-harness.ts';

/**
 * The console in a real browser (issue 13, "Tests in a real browser"): Debian's chromium
 * driven by playwright-core against the whole demo network on the simulator at 60×. Nothing
 * here asserts a duration; times to interactive are written as figures (artifacts).
 */
const WAIT = { timeout: 20_000 };

async function balanceNow(rig: ConsoleRig): Promise<BalanceResultView> {
  const http = await rig.app.http();
  return (await http.inject({ url: '/api/balance' })).json() as BalanceResultView;
}

async function pageCounts(page: Page): Promise<Record<string, number>> {
  return page.$$eval('[data-count]', (els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute('data-count'), Number(e.textContent)])),
  );
}

describe('the console in chromium', () => {
  let rig: ConsoleRig;

  beforeAll(async () => {
    rig = await startConsoleRig();
    // The first evaluation (a few seconds at 60×); the page shows whatever it says.
    await eventually(async () => (await balanceNow(rig)).substations.length > 0, {
      timeoutMs: 40_000,
      what: 'a first evaluation',
    });
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
  }, 60_000);

  it('shows the network: headline counts as GET /api/balance, one node per substation, clean', async () => {
    const { page, record } = await openConsole(rig);
    await page.locator('[data-testid="live"][data-state="open"]').waitFor(WAIT);
    await page.locator('svg [data-station]').first().waitFor(WAIT);
    // Page-side code as text: the tests compile without the DOM's types.
    const timing = await page.evaluate<{ domInteractiveMs: number; firstDataMs: number | null }>(
      `({
        domInteractiveMs: performance.getEntriesByType('navigation')[0].domInteractive,
        firstDataMs: performance.getEntriesByName('heatnet:first-data')[0]?.startTime ?? null,
      })`,
    );
    writeFileSync(join(ARTIFACTS, 'timing.json'), `${JSON.stringify(timing, null, 2)}\n`);
    console.log(`console first screen: ${JSON.stringify(timing)}`);

    // Counts change with each evaluation: they must agree with the API at some moment.
    await eventually(
      async () => {
        const api = (await balanceNow(rig)).counts;
        const shown = await pageCounts(page);
        return JSON.stringify(shown) === JSON.stringify({ ...api }) ? shown : null;
      },
      { timeoutMs: 20_000, what: 'headline counts equal to GET /api/balance' },
    );

    const ids = rig.config.network.substations.map((s) => s.id).sort();
    await eventually(
      async () => {
        const nodes = await page.$$eval('svg [data-station]', (els) =>
          els
            .filter((e) => e.closest('.map'))
            .map((e) => [e.getAttribute('data-station'), e.getAttribute('data-status')]),
        );
        const api = new Map((await balanceNow(rig)).substations.map((s) => [s.id, s.status]));
        const same = nodes.every(([id, status]) => api.get(id!) === status);
        return (
          nodes
            .map(([id]) => id)
            .sort()
            .join() === ids.join() && same
        );
      },
      { timeoutMs: 20_000, what: 'one map node per substation with its status' },
    );
    // Each node is named for a screen reader and reachable by keyboard (an SVG link).
    const label = await page.locator('.map [data-station]').first().getAttribute('aria-label');
    expect(label).toMatch(/^S\d+, branch \w+, [\d.]+ km, /);

    expect(record.errors).toEqual([]);
    expect(record.failed).toEqual([]);
    expect(record.offOrigin).toEqual([]);
    await page.close();
  });

  it('filters and sorts the substation table', async () => {
    const { page } = await openConsole(rig, { hash: '#/substations' });
    const rows = page.locator('table.stations tbody tr');
    await eventually(async () => (await rows.count()) === rig.config.network.substations.length);
    await page.getByPlaceholder('Filter by id, name or branch').fill('east');
    const east = rig.config.network.substations.filter((s) => s.branch === 'east').length;
    await eventually(async () => (await rows.count()) === east, { what: 'east rows only' });
    await page.getByPlaceholder('Filter by id, name or branch').fill('');
    await page.getByRole('button', { name: 'Sort by Distance' }).click(); // already ascending → descending
    const distances = await page.$$eval('table.stations tbody tr', (trs) =>
      trs.map((tr) => Number.parseFloat(tr.children[2]!.textContent!)),
    );
    expect(distances).toEqual([...distances].sort((a, b) => b - a));
    const statuses = () =>
      page.$$eval('table.stations tbody tr', (trs) =>
        trs.map((tr) => tr.getAttribute('data-status')),
      );
    // The live network decides which statuses exist right now: filter by one that does.
    const present = await statuses();
    const status = present.includes('overheating') ? 'overheating' : present[0]!;
    await page.locator('.toolbar select').selectOption(status);
    await eventually(
      async () => {
        const shown = await statuses();
        return shown.length > 0 && shown.every((s) => s === status);
      },
      { what: `only the ${status} rows` },
    );
    await page.close();
  });

  it('follows a new evaluation live, without reloading', async () => {
    const { page } = await openConsole(rig);
    await page.locator('[data-testid="live"][data-state="open"]').waitFor(WAIT);
    await page.evaluate('window.stayed = true');
    const before = await page.locator('[data-evaluated]').getAttribute('data-evaluated');
    await eventually(
      async () => {
        const now = await page.locator('[data-evaluated]').getAttribute('data-evaluated');
        return now !== before && now === (await balanceNow(rig)).evaluatedAt;
      },
      { timeoutMs: 20_000, what: 'the next evaluation on the page' },
    );
    expect(await page.evaluate('window.stayed')).toBe(true);
    await page.close();
  });

  it('shows "reconnecting" when the stream drops, greys the values, and recovers', async () => {
    const { page } = await openConsole(rig);
    const live = page.locator('[data-testid="live"]');
    await page.locator('[data-testid="live"][data-state="open"]').waitFor(WAIT);
    await rig.browser.setOffline(true);
    (await rig.app.http()).server.closeAllConnections();
    await page.locator('[data-testid="live"][data-state="reconnecting"]').waitFor(WAIT);
    expect(await live.textContent()).toContain('Reconnecting');
    expect(await page.locator('.shell.stale-all').count()).toBe(1);
    await rig.browser.setOffline(false);
    await page.locator('[data-testid="live"][data-state="open"]').waitFor({ timeout: 40_000 });
    expect(await page.locator('.shell.stale-all').count()).toBe(0);
    await page.close();
  }, 90_000);

  it('offers no apply to a viewer', async () => {
    const station = rig.config.network.substations[0]!.id;
    const { page } = await openConsole(rig, {
      token: TOKENS.viewer,
      hash: `#/substation/${station}`,
    });
    await page.locator('[data-role="viewer"]').waitFor(WAIT);
    await page.locator('[data-testid="recommendation"]').waitFor(WAIT);
    expect(await page.getByRole('button', { name: 'Apply…' }).count()).toBe(0);
    expect(
      await page.getByText('Sign in as a dispatcher to change pumps.').count(),
    ).toBeGreaterThan(0);
    await page.close();
  });

  it('lets a dispatcher apply once, shows the audit row, and shows a refusal plainly', async () => {
    const sub = rig.config.network.substations[0]!;
    const pump = sub.pumps[0]!;
    const { page, record } = await openConsole(rig, {
      token: TOKENS.dispatcher,
      hash: `#/substation/${sub.id}`,
    });
    await page.locator('[data-role="dispatcher"]').waitFor(WAIT);
    const form = page.locator('form.apply-form');
    const openForm = async () => {
      await page.getByRole('button', { name: 'Apply…' }).first().click();
      await form.waitFor(WAIT);
    };

    // A step beyond maxStepHz: refused by the control path, shown as it said it.
    const current = await eventually(async () => {
      const sample = (
        await (await rig.app.http()).inject({ url: `/api/substations/${sub.id}` })
      ).json().pumps[0].readings.frequency_setpoint_hz?.value;
      return typeof sample === 'number' ? sample : null;
    });
    expect(pump.maxHz - current).toBeGreaterThan(pump.maxStepHz);
    await openForm();
    await form.locator('input[name="hz"]').fill(String(pump.maxHz));
    await form.locator('textarea[name="reason"]').fill('browser test: too large a step');
    await form.getByRole('button', { name: /^Send / }).click();
    const refusal = page.locator('[data-testid="apply-refused"]');
    await refusal.waitFor(WAIT);
    expect(await refusal.textContent()).toMatch(/Refused \(\w+\): .+/);
    expect(record.posts).toHaveLength(1);

    // Corrected in the same form, a step within the limits: one POST, its audit row shown.
    await form.locator('input[name="hz"]').fill(String(Math.max(pump.minHz, current - 1)));
    await form.locator('textarea[name="reason"]').fill('browser test: lower by one hertz');
    // Twice in quick succession, as an impatient hand does: still one POST.
    await form.getByRole('button', { name: /^Send / }).dblclick();
    const sent = page.locator('[data-testid="apply-sent"]');
    await sent.waitFor(WAIT);
    expect(record.posts).toHaveLength(2);
    const row = await page.locator('[data-testid="apply-audit"]').textContent();
    expect(row).toMatch(/Dispatch log row #\d+: test-dispatcher|demo-dispatcher/);
    const audit = (
      await (await rig.app.http()).inject({ url: `/api/control/audit?pump=${pump.id}` })
    ).json() as {
      entries: { id: number; reason: string | null; result: string }[];
    };
    const mine = audit.entries.filter((e) => e.reason === 'browser test: lower by one hertz');
    expect(mine).toHaveLength(1);
    expect(row).toContain(`#${mine[0]!.id}`);
    await page.locator(`[data-audit="${mine[0]!.id}"]`).waitFor(WAIT);
    expect(record.errors.filter((e) => !/status of 409|status of 400/.test(e))).toEqual([]);
    await page.close();
  });

  it('shows service staff the alerts with their actions and who is on call', async () => {
    const { page, record } = await openConsole(rig, { token: TOKENS.service, hash: '#/alerts' });
    await page.locator('[data-role="service"]').waitFor(WAIT);
    await page.getByRole('heading', { name: 'On call now' }).waitFor(WAIT);
    await eventually(async () => (await page.locator('.oncall li, #oncall-title + p').count()) > 0);
    expect(await page.getByText('Not available on this server').count()).toBe(0);
    expect(record.errors).toEqual([]);
    await page.close();
  });

  it('renders both languages, has no serious axe findings, and leaves screenshots', async () => {
    for (const lang of ['en', 'zh'] as const) {
      const { page } = await openConsole(rig, { lang });
      await page.locator('svg [data-station]').first().waitFor(WAIT);
      await page.locator('[data-testid="live"][data-state="open"]').waitFor(WAIT);
      if (lang === 'zh') {
        expect(await page.getByRole('link', { name: '管网总览' }).count()).toBe(1);
        expect(await page.locator('[data-testid="head-counts"]').textContent()).toContain('不热');
        expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
        // A CJK face is there, so Chinese is not drawn as boxes.
        expect(await page.evaluate(`document.fonts.check('16px "Noto Sans CJK SC"', '热网')`)).toBe(
          true,
        );
      } else {
        const axe = await new AxeBuilder({ page }).analyze();
        const serious = axe.violations.filter(
          (v) => v.impact === 'serious' || v.impact === 'critical',
        );
        expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual(
          [],
        );
      }
      for (const [width, height] of [
        [1366, 768],
        [1920, 1080],
      ] as const) {
        await page.setViewportSize({ width, height });
        await page.screenshot({
          path: join(ARTIFACTS, `network-${lang}-${width}x${height}.png`),
          fullPage: true,
        });
      }
      await page.goto(`${rig.origin}/#/substations`);
      await page.locator('table.stations tbody tr').first().waitFor(WAIT);
      await page.screenshot({
        path: join(ARTIFACTS, `substations-${lang}-1920x1080.png`),
        fullPage: true,
      });
      await page.close();
    }
  }, 90_000);
});
