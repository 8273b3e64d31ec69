import { signal } from '@preact/signals';
import { ApiError, api, optional } from './api.ts';
import { timeZone } from './i18n/index.ts';
import type {
  AlertView,
  AuditEntryView,
  AutoStatusView,
  BalanceResultView,
  ComplaintView,
  IncidentView,
  OnCallView,
  OncallTeam,
  SiteView,
  SubstationSummary,
  TicketView,
  Whoami,
} from './types.ts';

/**
 * What the console knows, as signals: each view reads what it needs and re-renders when
 * a refresh lands. REST is the source of truth; the event stream (live.ts) only says which
 * part to fetch again, so a missed event costs one refresh, never a wrong screen.
 */
export const site = signal<SiteView | null>(null);
export const me = signal<Whoami | null>(null);
/** Set when the API refuses our reads (401): the sign-in asks for a token. */
export const authProblem = signal<'required' | 'invalid' | null>(null);
export const balance = signal<BalanceResultView | null>(null);
export const substations = signal<SubstationSummary[]>([]);
export const audit = signal<AuditEntryView[]>([]);
export const auto = signal<AutoStatusView | null>(null);
/** `null`: the route is not on this server; `undefined`: not loaded yet. */
export const complaints = signal<ComplaintView[] | null | undefined>(undefined);
export const incidents = signal<IncidentView[] | null | undefined>(undefined);
export const tickets = signal<TicketView[] | null | undefined>(undefined);
export const alerts = signal<AlertView[] | null | undefined>(undefined);
export const oncall = signal<OncallTeam[] | null | undefined>(undefined);
export const loadError = signal<string | null>(null);
/** Conditions raised through the service's own alert sink (the live snapshot's `alerts`). */
export const coreAlerts = signal<{ source: string; code: string }[]>([]);
/**
 * The service's clock as last heard: its time then, the wall time then, and its rate
 * (the demo's clock runs faster than the wall's), so SLA clocks count down in its time.
 */
export const serverClock = signal<{ at: number; wall: number; rate: number } | null>(null);
/** Outdoor temperature by evaluation time, for the headline's 24 h range. */
export const outdoorSeen = signal<{ at: number; c: number }[]>([]);

export type Part = 'balance' | 'substations' | 'audit' | 'auto' | 'desk' | 'alerts' | 'me';

export function serverNow(): number {
  const c = serverClock.value;
  return c ? c.at + (Date.now() - c.wall) * c.rate : Date.now();
}

export function applyClock(clock: { now: string; rate: number }): void {
  serverClock.value = { at: Date.parse(clock.now), wall: Date.now(), rate: clock.rate };
}

export function applyBalance(b: BalanceResultView): void {
  balance.value = b;
  rememberOutdoor(b);
}

/** Whether this service has an optional route (GET /api/site lists them). */
export const has = (name: string): boolean => site.value?.routes[name] === true;

async function guarded(part: string, load: () => Promise<void>): Promise<void> {
  try {
    await load();
    if (loadError.value?.startsWith(`${part}:`)) loadError.value = null;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      authProblem.value =
        err.body.code === 'UNAUTHORIZED' && /invalid/.test(err.message) ? 'invalid' : 'required';
      return;
    }
    loadError.value = `${part}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

const loaders: Record<Part, () => Promise<void>> = {
  me: async () => {
    const [who, where] = await Promise.all([
      api<Whoami>('/api/whoami'),
      site.value ? Promise.resolve(site.value) : api<SiteView>('/api/site'),
    ]);
    [me.value, site.value, authProblem.value] = [who, where, null];
    timeZone.value = where.timezone;
  },
  balance: async () => {
    applyBalance(await api<BalanceResultView>('/api/balance'));
  },
  substations: async () => {
    const list = await api<{ substations: SubstationSummary[] }>('/api/substations');
    substations.value = list.substations;
    if (!serverClock.value) estimateServerClock(list.substations);
  },
  audit: async () => {
    if (!has('audit')) return;
    audit.value = (
      await api<{ entries: AuditEntryView[] }>('/api/control/audit?limit=200')
    ).entries;
  },
  auto: async () => {
    auto.value = has('auto') ? await api<AutoStatusView>('/api/control/auto') : null;
  },
  desk: async () => {
    const [c, i, t] = await Promise.all([
      ifHas<{ complaints: ComplaintView[] }>('complaints', '/api/complaints'),
      ifHas<{ incidents: IncidentView[] }>('incidents', '/api/incidents'),
      ifHas<{ tickets: TicketView[] }>('tickets', '/api/tickets?limit=200'),
    ]);
    complaints.value = c?.complaints ?? null;
    incidents.value = i?.incidents ?? null;
    tickets.value = t?.tickets ?? null;
  },
  alerts: async () => {
    const [a, o] = await Promise.all([
      ifHas<{ alerts: AlertView[] }>('alerts', '/api/alerts?limit=200'),
      ifHas<OnCallView>('oncall', '/api/oncall'),
    ]);
    alerts.value = a?.alerts ?? null;
    oncall.value = o?.teams ?? null;
  },
};

/** The route's answer, or null when this service does not have the route. */
function ifHas<T>(name: string, path: string): Promise<T | null> {
  return has(name) ? optional<T>(path) : Promise.resolve(null);
}

/**
 * The first screen's data at once (who we are, the site, the evaluation, the stations);
 * the optional parts once the site has said which routes this service has.
 */
export async function boot(onFirstScreen?: () => void): Promise<void> {
  await refresh(['me', 'balance', 'substations']);
  onFirstScreen?.();
  await Promise.all([
    refresh(['audit', 'auto', 'desk', 'alerts']),
    // Imported here, not at the top: trends.ts reads this module's signals.
    import('./views/trends.ts').then((m) => m.loadOutdoorDay(substations.value[0]?.id)),
  ]);
}

export function refresh(parts: Iterable<Part>): Promise<void> {
  return Promise.all([...new Set(parts)].map((p) => guarded(p, loaders[p]))).then(() => {});
}

export const ALL_PARTS: Part[] = [
  'me',
  'balance',
  'substations',
  'audit',
  'auto',
  'desk',
  'alerts',
];

function rememberOutdoor(b: BalanceResultView): void {
  if (b.outdoorTempC === null) return;
  const at = Date.parse(b.evaluatedAt);
  const seen = outdoorSeen.value;
  if (seen.length > 0 && seen[seen.length - 1]!.at === at) return;
  const dayAgo = at - 24 * 3600_000;
  outdoorSeen.value = [...seen.filter((s) => s.at >= dayAgo), { at, c: b.outdoorTempC }];
}

function estimateServerClock(list: SubstationSummary[]): void {
  for (const s of list) {
    const sample = Object.values(s.readings)[0];
    if (sample) {
      serverClock.value = {
        at: Date.parse(sample.time) + sample.ageS * 1000,
        wall: Date.now(),
        rate: 1,
      };
      return;
    }
  }
}
