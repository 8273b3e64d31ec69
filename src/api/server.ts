import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { AlertDesk } from '../alerts/desk.ts';
import type { BalanceResult } from '../balance/types.ts';
import type { ApiConfig } from '../config/schema.ts';
import type { Logger } from '../core/logger.ts';
import type { HistorySource } from '../history/source.ts';
import type { LedgerParts } from '../ledger/build.ts';
import type { LiveHub } from '../live/hub.ts';
import type { Metrics } from '../metrics.ts';
import { createHttp } from './http.ts';
import { installJsonParser } from './json-body.ts';
import { alertRoutes } from './routes/alerts.ts';
import { balanceRoutes } from './routes/balance.ts';
import { type ComplaintRoutesOptions, complaintRoutes } from './routes/complaints.ts';
import { complianceRoutes } from './routes/compliance.ts';
import { consoleRoutes } from './routes/console.ts';
import { type ControlRouteDeps, controlRoutes } from './routes/control.ts';
import { docsRoutes } from './routes/docs.ts';
import { eventRoutes } from './routes/events.ts';
import { type HealthReport, healthRoutes } from './routes/health.ts';
import { historyRoutes } from './routes/history.ts';
import { type HouseholdRoutesOptions, householdRoutes } from './routes/households.ts';
import { type IncidentRoutesOptions, incidentRoutes } from './routes/incidents.ts';
import { householdLedger, ledgerRoutes } from './routes/ledger.ts';
import { measurementRoutes } from './routes/measurements.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { onCallRoutes } from './routes/oncall.ts';
import { silenceRoutes } from './routes/silences.ts';
import { siteRoutes } from './routes/site.ts';
import { substationRoutes } from './routes/substations.ts';
import { type TicketRoutesOptions, ticketRoutes } from './routes/tickets.ts';
import { whoamiRoutes } from './routes/whoami.ts';
import type { NetworkViewSource } from './views.ts';

export interface ApiDeps extends NetworkViewSource {
  api: ApiConfig;
  log: Logger;
  health: () => HealthReport;
  /** Prometheus metrics for `GET /metrics` (DESIGN §4.3); the route is absent without. */
  metrics?: Metrics;
  /** The guarded control path (issue 5); the control routes are absent without. */
  control?: ControlRouteDeps;
  /** The balancing engine's latest evaluation (`GET /api/balance`). */
  balance: () => BalanceResult;
  /** The service desk (issue 10); its routes are absent without. */
  desk?: DeskRouteDeps;
  /** Work orders and their SLA clocks (issue 11); their routes are absent without. */
  tickets?: TicketRoutesOptions;
  /** The regulation ledger (issue 11); its routes are absent without. */
  ledger?: LedgerParts;
  /** Where the built console is (issue 13); default web/dist of this package. */
  consoleDir?: string;
  /** The live stream's hub (issue 13); `GET /api/events` is absent without. */
  live?: LiveHub;
  /** The substations' trends (issue 13); `GET /api/substations/:id/history` is absent without. */
  history?: HistorySource;
  /** Alerts, silences, on call (issue 12); their routes are absent without. */
  alerts?: AlertDesk;
}

/** What the service desk's routes need. */
export type DeskRouteDeps = ComplaintRoutesOptions &
  IncidentRoutesOptions &
  Omit<HouseholdRoutesOptions, 'topology' | 'state'>;

/**
 * Builds the Fastify app without listening, so tests drive it with `inject`
 * (fastify/demo's pattern). The base (validators, timeouts, the error handler and the
 * access check, http.ts) first, then the OpenAPI collector, then the route plugins:
 * each declares who may call it.
 */
/** The built HTTP API, as the composition root and the tests hold it. */
export type HttpApi = FastifyInstance;

export async function buildApi(deps: ApiDeps): Promise<HttpApi> {
  const app = createHttp({ api: deps.api, log: deps.log });
  installJsonParser(app);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'heatnet API',
        version: '0.1.0',
        description: 'District-heating telemetry, balancing and complaint diagnosis',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(docsRoutes);
  await app.register(consoleRoutes, deps.consoleDir ? { dir: deps.consoleDir } : {});
  await app.register(whoamiRoutes);
  await app.register(healthRoutes, { report: deps.health });
  if (deps.metrics) await app.register(metricsRoutes, { metrics: deps.metrics });
  await app.register(substationRoutes, { network: deps });
  await app.register(siteRoutes, deps);
  if (deps.control) await app.register(controlRoutes, deps.control);
  await app.register(balanceRoutes, { latest: deps.balance });
  if (deps.desk) {
    await app.register(complaintRoutes, deps.desk);
    await app.register(incidentRoutes, deps.desk);
    await app.register(householdRoutes, {
      ...deps.desk,
      topology: deps.topology,
      state: deps.state,
      ledger: deps.ledger && householdLedger(deps.ledger),
    });
  }
  if (deps.tickets) await app.register(ticketRoutes, deps.tickets);
  if (deps.ledger) await registerLedger(app, deps.ledger);
  if (deps.live) await app.register(eventRoutes, { hub: deps.live });
  if (deps.history) {
    const { topology, now } = deps;
    await app.register(historyRoutes, { source: deps.history, topology, now });
  }
  if (deps.alerts) {
    await app.register(alertRoutes, { alerts: deps.alerts });
    await app.register(silenceRoutes, { alerts: deps.alerts, now: deps.now });
    await app.register(onCallRoutes, { alerts: deps.alerts });
  }
  return app;
}

async function registerLedger(app: HttpApi, ledger: LedgerParts): Promise<void> {
  await app.register(ledgerRoutes, ledger);
  await app.register(complianceRoutes, {
    store: ledger.store,
    minC: ledger.minC,
    target: ledger.complianceTarget,
  });
  await app.register(measurementRoutes, { ...ledger, timeZone: ledger.rules.timeZone });
}
