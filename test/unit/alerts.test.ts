import { describe, expect, it } from 'vitest';
import { AlertBoard, type ClearedAlert, type RaisedAlert } from '../../src/core/alerts.ts';
import { EventBus } from '../../src/core/events.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { HeatnetEvents } from '../../src/events.ts';

const stale = { source: 'ingest.mqtt:t', code: 'mqtt-stale', severity: 'warning' as const };

function board() {
  let now = 1_000;
  const sent: (RaisedAlert | ClearedAlert)[] = [];
  const alerts = new AlertBoard(
    { raise: (a) => sent.push(a), clear: (c) => sent.push(c) },
    () => now,
    silentLogger(),
  );
  return { alerts, sent, advance: (ms: number) => (now += ms) };
}

describe('AlertBoard (the one alert sink)', () => {
  it('sends an active alert once, whatever its callers repeat', () => {
    const { alerts, sent } = board();
    alerts.raise({ ...stale, message: 'quiet for 60 s' });
    alerts.raise({ ...stale, message: 'quiet for 120 s' });
    expect(sent).toEqual([{ ...stale, message: 'quiet for 60 s', at: 1_000 }]);
    expect(alerts.list()).toHaveLength(1);
  });

  it('keys alerts by source and code', () => {
    const { alerts, sent } = board();
    alerts.raise({ ...stale, message: 'a' });
    alerts.raise({ ...stale, source: 'ingest.mqtt:u', message: 'b' });
    alerts.raise({ ...stale, code: 'other', message: 'c' });
    expect(sent).toHaveLength(3);
    alerts.clear('ingest.mqtt:u', 'mqtt-stale');
    expect(alerts.list().map((a) => a.message)).toEqual(['a', 'c']);
  });

  it('ignores a clear of an alert that is not active, and raises again after a clear', () => {
    const { alerts, sent, advance } = board();
    alerts.clear(stale.source, stale.code);
    expect(sent).toEqual([]);
    alerts.raise({ ...stale, message: 'first' });
    advance(5_000);
    alerts.clear(stale.source, stale.code);
    alerts.clear(stale.source, stale.code);
    advance(5_000);
    alerts.raise({ ...stale, message: 'second' });
    expect(sent).toEqual([
      { ...stale, message: 'first', at: 1_000 },
      { source: stale.source, code: stale.code, at: 6_000 },
      { ...stale, message: 'second', at: 11_000 },
    ]);
  });

  it('stamps with the service clock it was given, not the caller', () => {
    const { alerts, sent, advance } = board();
    advance(59_000);
    alerts.raise({ ...stale, message: 'm', at: 5 } as never);
    expect(sent[0]).toMatchObject({ at: 60_000 });
  });

  it('emits alert.raise and alert.clear on the bus, and survives a failing outlet', () => {
    const bus = new EventBus<HeatnetEvents>(silentLogger());
    const seen: string[] = [];
    bus.on('alert.raise', 'test', (a) => void seen.push(`raise ${a.code}`));
    bus.on('alert.clear', 'test', (c) => void seen.push(`clear ${c.code}`));
    const alerts = new AlertBoard(
      { raise: (a) => bus.emit('alert.raise', a), clear: (c) => bus.emit('alert.clear', c) },
      () => 0,
    );
    alerts.raise({ ...stale, message: 'm' });
    alerts.clear(stale.source, stale.code);
    expect(seen).toEqual(['raise mqtt-stale', 'clear mqtt-stale']);
    const failing = new AlertBoard(
      {
        raise: () => {
          throw new Error('outlet down');
        },
        clear: () => undefined,
      },
      () => 0,
      silentLogger(),
    );
    expect(() => failing.raise({ ...stale, message: 'm' })).not.toThrow();
  });
});
