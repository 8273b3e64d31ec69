import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installAccess } from '../../src/api/access.ts';
import { Authenticator } from '../../src/api/auth.ts';
import { installErrorHandler } from '../../src/api/error-handler.ts';
import { judgeEffect } from '../../src/control/effect-tracker.ts';
import {
  checkDevice,
  checkInterval,
  checkRange,
  checkStep,
  type PumpLimits,
} from '../../src/control/guardrails.ts';
import { isRefusal, resolveTarget } from '../../src/control/target.ts';
import { Topology } from '../../src/domain/topology.ts';
import { testConfig } from '../support/config.ts';

const P1: PumpLimits = { id: 'S01-P1', minHz: 25, maxHz: 50, maxStepHz: 5 };
const T0 = Date.parse('2025-01-10T08:00:00Z');

describe('range: the pump’s min/max Hz and the drive map’s own limits', () => {
  it('passes values within, edges included', () => {
    expect(checkRange(P1, {}, 25)).toBeNull();
    expect(checkRange(P1, {}, 50)).toBeNull();
    expect(checkRange(P1, { min: 0, max: 50 }, 42.5)).toBeNull();
  });

  it('names the limit that was hit', () => {
    expect(checkRange(P1, {}, 57)).toEqual({
      code: 'OUT_OF_RANGE',
      message: "hz 57 above S01-P1's maximum 50 Hz",
      field: 'hz',
    });
    expect(checkRange(P1, {}, 10)?.message).toBe("hz 10 below S01-P1's minimum 25 Hz");
    expect(checkRange(P1, {}, 50.004)?.message).toBe("hz 50 above S01-P1's maximum 50 Hz");
  });

  it('applies a stricter limit of the drive’s setpoint field, and says so', () => {
    const r = checkRange(P1, { min: 0, max: 45 }, 48);
    expect(r?.code).toBe('OUT_OF_RANGE');
    expect(r?.message).toMatch(/hz 48 above S01-P1's maximum 45 Hz \(the drive’s setpoint limit\)/);
    expect(checkRange(P1, { min: 30 }, 28)?.message).toMatch(/minimum 30 Hz/);
    // A looser field limit changes nothing.
    expect(checkRange(P1, { max: 60 }, 55)?.message).toMatch(/maximum 50 Hz$/);
  });

  it('refuses non-finite values', () => {
    expect(checkRange(P1, {}, Number.NaN)?.code).toBe('OUT_OF_RANGE');
  });
});

describe('step: at most maxStepHz from the current setpoint', () => {
  it('passes steps up to the limit, with floating-point slack', () => {
    expect(checkStep(P1, 45, 40)).toBeNull();
    expect(checkStep(P1, 35, 40)).toBeNull();
    expect(checkStep(P1, 45.3, 40.3)).toBeNull(); // 5.000000000000004 in binary
  });

  it('refuses larger steps either way, naming the limit and the current setpoint', () => {
    expect(checkStep(P1, 52, 40)).toEqual({
      code: 'STEP_TOO_LARGE',
      message: 'S01-P1: step 12 Hz exceeds maxStepHz 5 (current 40 Hz)',
      field: 'hz',
    });
    expect(checkStep(P1, 34.9, 40)?.message).toMatch(/step 5.1 Hz exceeds maxStepHz 5/);
  });
});

describe('interval: minIntervalS between changes of one pump', () => {
  it('passes the first change and one after the interval', () => {
    expect(checkInterval('S01-P1', null, T0, 600)).toBeNull();
    expect(checkInterval('S01-P1', T0 - 600_000, T0, 600)).toBeNull();
    expect(checkInterval('S01-P1', T0, T0, 0)).toBeNull();
  });

  it('refuses a change within it and says when the next is allowed', () => {
    const r = checkInterval('S01-P1', T0 - 120_000, T0, 600);
    expect(r?.code).toBe('TOO_FREQUENT');
    expect(r?.message).toBe(
      'S01-P1 was changed 120 s ago; the minimum interval is 600 s ' +
        '(next change allowed at 2025-01-10T08:08:00.000Z)',
    );
  });
});

describe('device: the drive must be up', () => {
  it('passes an up device', () => {
    expect(checkDevice('S01-P1', { id: 'S01-P1-vfd', state: 'up', lastError: null })).toBeNull();
  });

  it('refuses down, unknown, disabled or unpolled drives with the reason', () => {
    const down = checkDevice('S01-P1', {
      id: 'S01-P1-vfd',
      state: 'down',
      lastError: 'unit 2: no answer in 500 ms',
    });
    expect(down).toEqual({
      code: 'DEVICE_UNHEALTHY',
      message:
        "S01-P1's drive S01-P1-vfd is down (unit 2: no answer in 500 ms); nothing was written",
      field: 'id',
    });
    const unknown = checkDevice('S01-P1', { id: 'S01-P1-vfd', state: 'unknown', lastError: null });
    expect(unknown?.message).toMatch(/has not answered a poll yet/);
    const disabled = checkDevice('S01-P1', { id: 'x', state: 'disabled', lastError: null });
    expect(disabled?.message).toMatch(/is disabled/);
    expect(checkDevice('S01-P1', undefined)?.message).toMatch(/drive is not polled/);
  });
});

describe('target: pump → drive → writable setpoint field', () => {
  it('finds the VFD and its setpoint field in the demo-shaped config', async () => {
    const config = await testConfig({ substations: 2 });
    const t = resolveTarget(config, new Topology(config.network), 'S01-P1');
    if (isRefusal(t)) throw new Error(t.message);
    expect(t.device.id).toBe('S01-P1-vfd');
    expect(t.field).toMatchObject({ field: 'frequency_setpoint_hz', writable: true, max: 50 });
  });

  it('answers 404 for an unknown pump and 409 for a pump it cannot control', async () => {
    const config = await testConfig({
      substations: 2,
      patch: (raw) => {
        raw.ingest.modbus.devices = raw.ingest.modbus.devices.filter(
          (d: { id: string }) => d.id !== 'S01-P1-vfd',
        );
      },
    });
    const topology = new Topology(config.network);
    expect(resolveTarget(config, topology, 'NOPE')).toMatchObject({ code: 'PUMP_NOT_FOUND' });
    expect(resolveTarget(config, topology, 'S01-P1')).toMatchObject({
      code: 'NOT_CONTROLLABLE',
      message: expect.stringMatching(/S01-P1 has no VFD device/),
    });
    const noField = { ...config, control: { ...config.control, setpointField: 'speed_rpm' } };
    const other = config.network.substations[1]!.pumps[0]!.id;
    expect(resolveTarget(noField, topology, other)).toMatchObject({
      code: 'NOT_CONTROLLABLE',
      message: expect.stringMatching(/no writable holding field speed_rpm/),
    });
  });
});

describe('effect verdict: |deviation| toward zero by ≥ 0.3 K or ≥ 25 %', () => {
  it.each([
    [-4, -3.6, 'improved'], // 0.4 K closer
    [-1, -0.8, 'no-change'], // 0.2 K and 20 %: neither threshold
    [-1, -0.75, 'improved'], // 25 %
    [0.8, 0.55, 'improved'], // 31 %, 0.25 K
    [3, -2.6, 'improved'], // overshoot past zero still counts by magnitude
    [-2, -2.4, 'worsened'],
    [-2, -2.2, 'no-change'],
    [0, 0.2, 'no-change'],
    [0, 0.3, 'worsened'],
    [null, -1, 'unknown'],
    [-1, null, 'unknown'],
  ] as const)('%s → %s: %s', (before, after, verdict) => {
    expect(judgeEffect(before, after)).toBe(verdict);
  });
});

describe('exclusive roles: admin is no dispatcher', () => {
  const tokens = {
    viewer: 'viewer-token-0000000001',
    dispatcher: 'dispatch-token-00000003',
    admin: 'admin-token-000000000004',
  };
  const app = () => {
    const auth = new Authenticator({
      host: '127.0.0.1',
      port: 0,
      anonymousRead: true,
      tokens: Object.entries(tokens).map(([role, token]) => ({
        name: `${role}-user`,
        token,
        role: role as 'viewer' | 'dispatcher' | 'admin',
      })),
    });
    const f = Fastify();
    f.decorateRequest('principal', null);
    installErrorHandler(f);
    installAccess(f, auth);
    f.post('/exclusive', { config: { access: ['dispatcher'], exclusive: true } }, () => ({
      ok: true,
    }));
    f.post('/shared', { config: { access: ['dispatcher'] } }, () => ({ ok: true }));
    return f;
  };
  const post = (url: string, token: string) =>
    app().inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` } });

  it('lets only the listed role through an exclusive guard', async () => {
    expect((await post('/exclusive', tokens.dispatcher)).statusCode).toBe(200);
    const admin = await post('/exclusive', tokens.admin);
    expect(admin.statusCode).toBe(403);
    expect(admin.json().message).toBe('role "admin" may not do this (needs dispatcher)');
    expect((await post('/exclusive', tokens.viewer)).statusCode).toBe(403);
  });

  it('keeps admin’s access everywhere else', async () => {
    expect((await post('/shared', tokens.admin)).statusCode).toBe(200);
    expect((await post('/shared', tokens.viewer)).statusCode).toBe(403);
  });
});
