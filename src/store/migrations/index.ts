import type { Migration, MigrationProvider } from 'kysely';
import type { Engine } from '../engine.ts';
import { controlTables } from './0001-control.ts';
import { auditSeries } from './0002-audit-series.ts';
import { complaintTables } from './0003-complaints.ts';
import { ticketTables } from './0004-tickets.ts';
import { ledgerDataTables } from './0005-ledger-data.ts';
import { ledgerTables } from './0006-ledger.ts';
import { alertTables } from './0007-alerts.ts';
import { outboxTables } from './0008-outbox.ts';
import { historyTables } from './0009-history.ts';
import { slaCheckColumn } from './0010-sla-check.ts';
import { incidentCountsIndex } from './0011-incident-counts.ts';

/**
 * Every migration, in order, as code in the repository: Kysely's FileMigrationProvider
 * would read a folder at run time, which a bundled build does not have. Names sort in
 * the order they run; never rename or edit one that has shipped, add the next.
 */
const MIGRATIONS: readonly [string, (engine: Engine) => Migration][] = [
  ['0001-control', controlTables],
  ['0002-audit-series', auditSeries],
  ['0003-complaints', complaintTables],
  ['0004-tickets', ticketTables],
  ['0005-ledger-data', ledgerDataTables],
  ['0006-ledger', ledgerTables],
  ['0007-alerts', alertTables],
  ['0008-outbox', outboxTables],
  ['0009-history', historyTables],
  ['0010-sla-check', slaCheckColumn],
  ['0011-incident-counts', incidentCountsIndex],
];

export class CodeMigrations implements MigrationProvider {
  constructor(private readonly engine: Engine) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(MIGRATIONS.map(([name, make]) => [name, make(this.engine)]));
  }
}
