// The real app (HeatnetApp) with the service desk, for the complaint and incident tests: a
// store on either engine, no field devices, balancing evaluations only when a test sends one,
// and a diagnoser the test tells what to say (the live rules are the diagnosis branch's).

import { afterEach } from 'vitest';
import { HeatnetApp } from '../../src/app.ts';
import type { BalanceResult } from '../../src/balance/types.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Diagnoser, DiagnosisRequest } from '../../src/diagnosis/diagnoser.ts';
import type { Diagnosis, Finding, Level } from '../../src/diagnosis/schemas.ts';
import type { Household } from '../../src/domain/topology.ts';
import type { Engine, StoreTarget } from '../../src/store/engine.ts';
import { type RawConfig, TEST_TOKENS, testConfig } from '../support/config.ts';
import { freshTarget } from '../support/store.ts';

export const VIEWER_TOKEN = 'test-viewer-token-00000004';
export const auth = {
  service: { authorization: `Bearer ${TEST_TOKENS.HEATNET_SERVICE_TOKEN}` },
  dispatcher: { authorization: `Bearer ${TEST_TOKENS.HEATNET_DISPATCH_TOKEN}` },
  viewer: { authorization: `Bearer ${VIEWER_TOKEN}` },
};

/** A diagnosis at `level` naming `place`, as the rules would give it. */
export function diagnosisAt(level: Level, place: string | null, confidence = 0.9): Diagnosis {
  return {
    level,
    cause:
      level === 'substation'
        ? 'pump-fault'
        : level === 'zone'
          ? 'zone-circulation'
          : 'insufficient-data',
    confidence,
    place,
    evidence: [
      {
        what: 'pump-running',
        where: place ?? 'n/a',
        value: false,
        at: Date.UTC(2026, 0, 10, 6),
        shows: { en: 'the pump has stopped', zh: '循环泵停运' },
      },
    ],
    missing: [],
    action: {
      who: 'crew',
      code: 'check-pump',
      target: place ?? 'heatnet',
      what: { en: 'check the pump', zh: '检查循环泵' },
    },
    summary: { en: 'pump stopped', zh: '循环泵停运' },
  };
}

/** A substation fault the network data show. */
export function pumpFinding(substation: string): Finding {
  const d = diagnosisAt('substation', substation);
  return {
    level: 'substation',
    cause: 'pump-fault',
    place: substation,
    substation,
    building: null,
    zone: null,
    confidence: 0.9,
    evidence: d.evidence,
    action: d.action,
    summary: d.summary,
  };
}

/** Says what the test sets: per household, else `unknown`; findings as set. */
export class FakeDiagnoser implements Diagnoser {
  readonly byHousehold = new Map<string, Diagnosis>();
  fallback: (request: DiagnosisRequest) => Diagnosis = () => diagnosisAt('unknown', null, 0);
  found: Finding[] = [];

  diagnose(request: DiagnosisRequest): Diagnosis {
    return this.byHousehold.get(request.household) ?? this.fallback(request);
  }

  findings(): Finding[] {
    return this.found;
  }
}

export async function deskConfig(
  target: StoreTarget,
  patch?: (raw: RawConfig) => void,
): Promise<Config> {
  return testConfig({
    substations: 2,
    patch: (raw) => {
      raw.ingest.modbus.devices = [];
      raw.balance = { ...raw.balance, enabled: false };
      raw.store = target.engine === 'sqlite' ? { sqlite: target.path } : { postgres: target.url };
      raw.api.tokens = [
        ...raw.api.tokens,
        { name: 'test-viewer', token: VIEWER_TOKEN, role: 'viewer' },
      ];
      patch?.(raw);
    },
  });
}

export async function deskApp(config: Config, diagnoser: Diagnoser, now?: () => number) {
  const app = new HeatnetApp(config, {
    log: silentLogger(),
    diagnoser,
    ...(now ? { now } : {}),
  });
  await app.start();
  return app;
}

/** What the desk reads of an evaluation: only its time. */
export const evaluationAt = (at: number) => ({ evaluatedAt: at }) as BalanceResult;

export const householdsOf = (app: HeatnetApp, substation: string): Household[] =>
  app.topology.substation(substation)!.buildings.flatMap((b) => b.households);
export const firstSubstation = (config: Config) => config.network.substations[0]!.id;

/**
 * Call in a describe body: `started()` runs a fresh app on a fresh store of `engine`, with
 * request helpers as the hotline (service) and the dispatcher use the API; every app a test
 * started is stopped after it (`running` lets a test stop one itself).
 */
export function deskSessions(engine: Engine) {
  const running: HeatnetApp[] = [];
  afterEach(async () => {
    for (const app of running.splice(0)) await app.stop();
  });
  async function started(diagnoser = new FakeDiagnoser()) {
    const target = await freshTarget(engine);
    const config = await deskConfig(target);
    const app = await deskApp(config, diagnoser);
    running.push(app);
    const http = await app.http();
    const post = (body: object, headers: Record<string, string> = {}) =>
      http.inject({
        method: 'POST',
        url: '/api/complaints',
        payload: body,
        headers: { ...auth.service, ...headers },
      });
    const get = (url: string, headers: Record<string, string> = auth.service) =>
      http.inject({ method: 'GET', url, headers });
    const patch = (url: string, body: object) =>
      http.inject({ method: 'PATCH', url, payload: body, headers: auth.dispatcher });
    return { app, config, target, diagnoser, post, get, patch };
  }
  return { running, started };
}
