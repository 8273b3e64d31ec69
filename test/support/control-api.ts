// The API's control and health routes, built as the app builds them (createHttp: the
// strict body validator, timeouts, the one error shape, access), over a real audit store
// and a fake drive that records what reaches it. For the hardening tests (issue 15).
import type { FastifyInstance } from 'fastify';
import { createHttp } from '../../src/api/http.ts';
import { installJsonParser } from '../../src/api/json-body.ts';
import { controlRoutes } from '../../src/api/routes/control.ts';
import { type HealthReport, healthRoutes } from '../../src/api/routes/health.ts';
import type { ApiConfig, Config } from '../../src/config/schema.ts';
import { AuditStore } from '../../src/control/audit-store.ts';
import type { AutoBalancer } from '../../src/control/auto-balancer.ts';
import { PumpControl } from '../../src/control/pump-control.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { Topology } from '../../src/domain/topology.ts';
import type { DeviceHealth } from '../../src/ingest/modbus/health.ts';
import type { StoreTarget } from '../../src/store/engine.ts';
import { Store } from '../../src/store/store.ts';

export interface ControlApi {
  http: FastifyInstance;
  store: Store;
  audit: AuditStore;
  /** Every value written to a drive, in order. */
  writes: number[];
  /** Every switch of auto-balancing that went through. */
  switches: boolean[];
  /** Stops the HTTP server, the audit and the store (as a shutdown does). */
  close(): Promise<void>;
}

export async function controlApi(
  config: Config,
  target: StoreTarget,
  options: { api?: Partial<ApiConfig>; health?: HealthReport } = {},
): Promise<ControlApi> {
  const log = silentLogger();
  const store = new Store(target, log);
  await store.start();
  const audit = new AuditStore({ store, log });
  await audit.start();
  const topology = new Topology(config.network);
  const writes: number[] = [];
  const switches: boolean[] = [];
  const setpoints = new Map<string, number>();
  const devices = config.ingest.modbus.devices.map(
    (d) => ({ id: d.id, state: 'up', lastError: null }) as unknown as DeviceHealth,
  );
  const control = new PumpControl({
    config,
    topology,
    devices: () => devices,
    fieldIO: {
      write: async (device, _field, value) => {
        writes.push(Number(value));
        setpoints.set(device, Number(value));
      },
      read: async (device) => setpoints.get(device) ?? 40,
    },
    audit,
    now: Date.now,
    log,
  });
  const status = {
    enabled: true,
    state: 'active' as const,
    switchedBy: null,
    paused: [],
    lastRoundAt: null,
    lastActions: [],
  };
  const auto = {
    status: () => status,
    switchTo: async (enabled: boolean) => {
      switches.push(enabled);
      return status;
    },
  } as unknown as Pick<AutoBalancer, 'status' | 'switchTo'>;
  const http = createHttp({ api: { ...config.api, ...options.api }, log });
  installJsonParser(http);
  await http.register(controlRoutes, { control, audit, auto });
  if (options.health) {
    const report = options.health;
    await http.register(healthRoutes, { report: () => report });
  }
  await http.ready();
  const close = async () => {
    await http.close();
    await audit.stop();
    await store.stop();
  };
  return { http, store, audit, writes, switches, close };
}
