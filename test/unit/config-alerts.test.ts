import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { TEST_TOKENS, testConfigYaml } from '../support/config.ts';

/* `alerts` in check-config (issue 12): defaults that fit a heating company, errors by path. */

describe('alerts config', () => {
  it('has defaults for every rule, the grouping timers and the standard chain', async () => {
    const result = parseConfig(await testConfigYaml(), { ...TEST_TOKENS }, 'test');
    if (!result.ok) throw new Error('demo config invalid');
    const a = result.config.alerts;
    expect(a.rules['heat-stopped']).toMatchObject({ severity: 'critical', forSec: 43_200 });
    expect(a.rules['device-down']).toMatchObject({ forSec: 120, holdDownSec: 600 });
    expect(a.escalation.chains[0]!.steps.map((s) => s.notify)).toEqual([
      'on-call',
      'team-lead',
      'duty-dispatcher',
    ]);
    expect(a.grouping).toMatchObject({
      waitSec: 20,
      intervalSec: 300,
      by: ['alertname', 'branch'],
    });
  });

  it('names unknown channels, people, schedules, places and chains by path', async () => {
    const yaml = await testConfigYaml({
      patch: (raw) => {
        raw.alerts = {
          ...raw.alerts,
          people: [{ id: 'wang', name: 'Wang' }],
          teams: [
            {
              id: 't',
              name: 'T',
              lead: 'nobody',
              schedule: 'nope',
              substations: ['S99'],
              branches: [],
            },
          ],
          schedules: [
            {
              id: 's',
              people: ['wang', 'ghost'],
              overrides: [{ from: '2027-01-02', to: '2027-01-01', person: 'wang' }],
            },
          ],
          routes: [{ match: {}, channels: ['no-such-channel'], escalation: 'nope' }],
          escalation: { dutyDispatcher: 'nobody' },
        };
      },
    });
    const result = parseConfig(yaml, { ...TEST_TOKENS }, 'test');
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'alerts.routes[0].channels[0]',
        'alerts.routes[0].escalation',
        'alerts.teams[0].lead',
        'alerts.teams[0].schedule',
        'alerts.teams[0].substations[0]',
        'alerts.schedules[0].people[1]',
        'alerts.schedules[0].overrides[0].to',
        'alerts.escalation.dutyDispatcher',
      ]),
    );
  });
});
