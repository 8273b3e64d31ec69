import { describe, expect, it } from 'vitest';
import { Weather } from '../../simulators/model/weather.ts';
import { applyScenario, loadScenario, parseScenario } from '../../simulators/scenario.ts';
import { steadyDemoConfig } from '../support/balance-harness.ts';

/** The seeded season scenario (scenarios/season-2025-2026.yaml) and the cold snaps it needs. */

const HOUR = 3_600_000;
const START = Date.parse('2025-10-31T16:00:00Z');

describe('the season scenario', () => {
  it('is valid on the demo network and names the stops the ledger is checked against', () => {
    const config = steadyDemoConfig();
    const result = loadScenario('scenarios/season-2025-2026.yaml', config);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const stops = result.scenario.faults.filter((f) => f.type === 'supply-stop');
    expect(stops.map((f) => [f.id, f.at, f.until])).toEqual([
      ['stop-75h', '+20d', '+555h'],
      ['stop-60h', '+30d', '+780h'],
      ['stop-4d-1', '+90d', '+94d'],
      ['stop-4d-2', '+110d', '+114d'],
    ]);
    applyScenario(config, result.scenario);
    expect(config.simulation.weather.coldSnaps).toEqual([
      { at: '+60d', until: '+67d', deltaC: -12 },
    ]);
  });

  it('refuses a cold snap whose time does not parse, by its path', () => {
    const text = 'weather:\n  coldSnaps:\n    - { at: "+1d", until: "soon", deltaC: -8 }\n';
    const result = parseScenario(text, steadyDemoConfig());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.path, i.line])).toEqual([['weather.coldSnaps[0].until', 3]]);
  });
});

describe('a cold snap', () => {
  const settings = { meanC: -6, dailyAmplitudeC: 0, frontAmplitudeC: 0 };
  const snap = { at: '+2d', until: '+4d', deltaC: -12 };
  const weather = new Weather({ ...settings, coldSnaps: [snap] }, 11, 7, START);
  const plain = new Weather(settings, 11, 7, START);
  const offset = (h: number) =>
    weather.outdoorC(START + h * HOUR) - plain.outdoorC(START + h * HOUR);

  it('falls over half a day, holds, and recovers over half a day', () => {
    expect(offset(47)).toBe(0);
    expect(offset(48)).toBe(0);
    expect(offset(54)).toBeCloseTo(-6, 9);
    expect(offset(60)).toBeCloseTo(-12, 9);
    expect(offset(80)).toBeCloseTo(-12, 9);
    expect(offset(90)).toBeCloseTo(-6, 9);
    expect(offset(96)).toBe(0);
    expect(offset(120)).toBe(0);
  });
});
