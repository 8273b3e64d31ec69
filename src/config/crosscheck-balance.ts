import { validate as validCron } from 'node-cron';
import { type ConfigIssue, issueAt } from './issues.ts';
import type { Config } from './schema.ts';

/**
 * Cross-checks of the balance section: cron expressions that parse and a position
 * split that leaves a middle. (A pump whose VFD map lacks a writable setpoint is
 * valid — monitored only; the control route says so when asked to change it.)
 */
export function checkBalance(config: Config, issues: ConfigIssue[]): void {
  const { balance } = config;
  const schedules = [
    [['balance', 'schedule', 'cron'], balance.schedule.cron],
    [['balance', 'auto', 'schedule', 'cron'], balance.auto.schedule.cron],
  ] as const;
  for (const [path, cron] of schedules) {
    if (cron !== undefined && !validCron(cron)) {
      issues.push(issueAt([...path], `"${cron}" is not a valid cron expression`));
    }
  }
  if (balance.auto.enabled && balance.schedule.cron !== undefined) {
    issues.push(
      issueAt(
        ['balance', 'schedule', 'cron'],
        'auto-balancing judges freshness by balance.schedule.intervalS: schedule evaluations by intervalS when balance.auto is enabled',
      ),
    );
  }
  if (balance.position.nearUntil >= balance.position.farFrom) {
    issues.push(
      issueAt(
        ['balance', 'position'],
        `need nearUntil < farFrom (got ${balance.position.nearUntil}, ${balance.position.farFrom})`,
      ),
    );
  }
}
