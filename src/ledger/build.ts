import type { Config } from '../config/schema.ts';
import { childLogger, type Logger } from '../core/logger.ts';
import type { Topology } from '../domain/topology.ts';
import { type LedgerHousehold, ledgerRules } from '../service/ledger-rules.ts';
import type { Store } from '../store/store.ts';
import { LedgerJob } from './job.ts';
import type { LedgerReadDeps } from './ledger-db-season.ts';
import type { LedgerSource } from './source.ts';

/** What the ledger's routes need (issue 11). */
export interface LedgerParts extends LedgerReadDeps {
  job: LedgerJob;
  minC: number;
  complianceTarget: number;
  components: LedgerJob[];
}

/** Every household of the network as the ledger bills it, sorted by id (as the source orders room days). */
export function ledgerHouseholds(topology: Topology): LedgerHousehold[] {
  // The topology's own households, not copies: 250,000 objects fewer to mark on every
  // major GC (issue 10). The ledger reads only the fields it names.
  return topology.substations
    .flatMap((s): LedgerHousehold[] => s.buildings.flatMap((b) => b.households))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The nightly job and the readers over `source` (the ledger data work's store of inputs). */
export function buildLedger(deps: {
  config: Config;
  topology: Topology;
  store: Store;
  source: LedgerSource;
  now: () => number;
  clockRate: number;
  log: Logger;
}): LedgerParts {
  const { config, topology, store, source, now } = deps;
  const rules = ledgerRules({
    site: config.site,
    standards: config.standards,
    ledger: config.service.ledger,
  });
  const households = ledgerHouseholds(topology);
  const { nightly } = config.service.ledger;
  const job = new LedgerJob({
    source,
    store,
    rules,
    households,
    batchSize: nightly.batchSize,
    now,
    log: childLogger(deps.log, 'ledger'),
    schedule: { intervalS: nightly.intervalS, cron: nightly.cron },
    clockRate: deps.clockRate,
  });
  return {
    store,
    source,
    rules,
    now,
    household: (id) => {
      const h = topology.household(id);
      return h && { id: h.id, building: h.building, substation: h.substation, areaM2: h.areaM2 };
    },
    job,
    minC: config.standards.indoor.minC,
    complianceTarget: config.standards.complianceTarget,
    components: [job],
  };
}
