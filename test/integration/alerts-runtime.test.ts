import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryOutbox } from '../support/memory-outbox.ts';
import { ENGINES, freshTarget, useEngine } from '../support/store.ts';
import {
  type AlertSession,
  alertConfig,
  alertSession,
  alertsSection,
  devicesGo,
  MIN,
  settle,
  stormPatch,
  T0,
} from './alerts-harness.ts';

/*
 * The alert runtime on a real store (issue 12 items 1, 3, 4, 6): a storm of 2,000 devices
 * going dark, a flapping device, and a restart in the middle of an escalation.
 */

const HOOK = [{ id: 'ops-hook' }];
// Loading 2,000 devices through the real config loader takes seconds here: once per file.
let stormConfig: ReturnType<typeof alertConfig> | undefined;
const storm = () => {
  stormConfig ??= alertConfig(alertsSection(HOOK), stormPatch(200, 10));
  return stormConfig;
};
const open: AlertSession[] = [];
afterEach(async () => {
  for (const s of open.splice(0).reverse()) await s.stop();
});

describe.each(ENGINES)('alerts on %s', (engine) => {
  useEngine(engine);
  beforeAll(storm, 60_000);

  it('turns a storm of 2,000 devices going dark into a handful of messages', async () => {
    const config = await storm();
    const outbox = new MemoryOutbox();
    const s = await alertSession(config, await freshTarget(engine), outbox);
    open.push(s);
    devicesGo(s, config, 'down');
    await settle(s);
    for (let t = 0; t < 6; t++) await s.advance(MIN);
    const alerts = s.parts.book.openAlerts();
    const dark = alerts.filter((a) => a.rule === 'substation-dark');
    const down = alerts.filter((a) => a.rule === 'device-down');
    expect(dark).toHaveLength(200);
    expect(down).toHaveLength(2000);
    expect(down.every((a) => a.inhibited && a.inhibitedBy !== null)).toBe(true);
    const messages = outbox.on('ops-hook');
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.length).toBeLessThanOrEqual(4);
    expect(messages.reduce((n, m) => n + m.total, 0)).toBe(200);
    for (const m of messages) {
      expect(m.groupLabels['alertname']).toBe('substation-dark');
      expect(m.groupLabels['branch']).toMatch(/^b[1-4]$/);
      expect(m.counts.critical).toBe(m.total);
      expect(m.alerts.length).toBeLessThanOrEqual(20);
    }
  });

  it('keeps a flapping device one alert and one message', async () => {
    const config = await alertConfig(alertsSection(HOOK));
    const outbox = new MemoryOutbox();
    const s = await alertSession(config, await freshTarget(engine), outbox);
    open.push(s);
    const pump = config.ingest.modbus.devices.find((d) => d.kind === 'pump')!.id;
    for (let i = 0; i < 30; i++) {
      devicesGo(s, config, i % 2 === 0 ? 'down' : 'up', (id) => id === pump);
      await settle(s);
      // Down for 3 min, up for 1 min: long enough to fire, too short to resolve.
      await s.advance(i % 2 === 0 ? 3 * MIN : MIN);
    }
    const rows = await s.store.db
      .selectFrom('alerts')
      .selectAll()
      .where('rule', '=', 'device-down')
      .execute();
    expect(rows).toHaveLength(1);
    const firing = outbox.sent.filter((n) => n.reason === 'firing' || n.reason === 'resolved');
    expect(firing).toHaveLength(1);
  });
});

describe.each(ENGINES)('escalation across a restart on %s', (engine) => {
  useEngine(engine);

  it('resumes a pending escalation on a new runtime and repeats nothing', async () => {
    const config = await alertConfig(alertsSection(HOOK));
    const outbox = new MemoryOutbox();
    const target = await freshTarget(engine);
    const clock = { now: T0 };
    const pump = config.ingest.modbus.devices.find((d) => d.kind === 'pump')!;
    const first = await alertSession(config, target, outbox, clock);
    open.push(first);
    devicesGo(first, config, 'down', (id) => id === pump.id);
    await settle(first);
    // Fires after 2 min, first message after the 30 s group wait; step 1 (team lead) at 15 min.
    for (let t = 0; t < 5; t++) await first.advance(MIN);
    expect(outbox.sent.map((n) => n.reason)).toEqual(['firing']);
    expect(outbox.sent[0]!.recipients.map((r) => r.person)).toEqual(['wang']);
    open.splice(open.indexOf(first), 1);
    await first.stop();
    // Down for 10 minutes, the ingestor of the new process sees the device still down.
    clock.now += 10 * MIN;
    const second = await alertSession(config, target, outbox, clock);
    open.push(second);
    devicesGo(second, config, 'down', (id) => id === pump.id);
    await settle(second);
    await second.advance(MIN);
    const reasons = outbox.sent.map((n) => n.reason);
    expect(reasons).toEqual(['firing', 'escalated']);
    expect(outbox.sent[1]!.recipients.map((r) => r.person)).toEqual(['zhao']);
    // The duty dispatcher at 30 min; then an acknowledgement stops the chain.
    for (let t = 0; t < 16; t++) await second.advance(MIN);
    expect(
      outbox.sent.filter((n) => n.reason === 'escalated').map((n) => n.recipients[0]?.person),
    ).toEqual(['zhao', 'chen']);
    const alert = second.parts.book.openAlerts()[0]!;
    expect(alert.escalationStep).toBe(2);
    await second.parts.runtime.act(alert.id, 'ack', 'zhao');
    const before = outbox.sent.length;
    for (let t = 0; t < 30; t++) await second.advance(MIN);
    expect(outbox.sent.slice(before).filter((n) => n.reason !== 'repeat')).toEqual([]);
    expect(outbox.repeats).toEqual([]);
    const keys = outbox.sent.map((n) => n.key);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
