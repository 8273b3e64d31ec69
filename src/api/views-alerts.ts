import type { AlertRecord, NotificationLogEntry } from '../alerting/model.ts';
import type { AlertDetail } from '../alerts/desk.ts';
import type { OnCallAnswer } from '../alerts/oncall.ts';
import type { StoredSilence } from '../alerts/silence-db.ts';
import type { AlertDetailView, AlertView, OnCallView, SilenceView } from './schemas-alerts.ts';
import { iso, isoOrNull } from './views.ts';

/** The alert routes' answers: epoch ms become ISO (DESIGN §3 "Time"). */

const logView = (e: NotificationLogEntry) => ({ ...e, at: iso(e.at) });

export function alertView(a: AlertRecord): AlertView {
  return {
    ...a,
    startsAt: iso(a.startsAt),
    endsAt: isoOrNull(a.endsAt),
    acknowledgedAt: isoOrNull(a.acknowledgedAt),
    notifications: a.notifications.map(logView),
  };
}

export function alertDetailView(a: AlertDetail): AlertDetailView {
  return { ...alertView(a), history: a.history.map((h) => ({ ...h, at: iso(h.at) })) };
}

export function silenceView(s: StoredSilence, now: number): SilenceView {
  const state = s.deleted
    ? 'ended'
    : s.endsAt <= now
      ? 'expired'
      : s.startsAt > now
        ? 'pending'
        : 'active';
  return {
    id: s.id,
    matchers: s.matchers,
    owner: s.owner,
    comment: s.comment,
    createdBy: s.createdBy,
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    createdAt: iso(s.createdAt),
    state,
  };
}

const locals = new Map<string, Intl.DateTimeFormat>();

/** `2026-12-10 20:00` in the site's zone. */
function local(ms: number, timeZone: string): string {
  let f = locals.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'short' });
    locals.set(timeZone, f);
  }
  return f.format(ms);
}

export function onCallView(o: OnCallAnswer): OnCallView {
  const tz = o.timeZone;
  return {
    ...o,
    at: iso(o.at),
    teams: o.teams.map((t) => ({
      ...t,
      shift: t.shift && {
        ...t.shift,
        from: iso(t.shift.from),
        to: iso(t.shift.to),
        fromLocal: local(t.shift.from, tz),
        toLocal: local(t.shift.to, tz),
      },
      next: t.next.map((n) => ({ ...n, at: iso(n.at), atLocal: local(n.at, tz) })),
    })),
  };
}
