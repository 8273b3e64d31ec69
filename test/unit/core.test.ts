import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/core/events.ts';
import { type Component, Lifecycle } from '../../src/core/lifecycle.ts';
import { silentLogger } from '../../src/core/logger.ts';

function recorder(log: string[], name: string, failOn?: 'start' | 'stop'): Component {
  return {
    name,
    async start() {
      if (failOn === 'start') throw new Error(`${name} cannot start`);
      log.push(`start ${name}`);
    },
    async stop() {
      log.push(`stop ${name}`);
      if (failOn === 'stop') throw new Error(`${name} cannot stop`);
    },
  };
}

describe('Lifecycle', () => {
  it('starts in order and stops in reverse', async () => {
    const log: string[] = [];
    const life = new Lifecycle(
      ['a', 'b', 'c'].map((n) => recorder(log, n)),
      silentLogger(),
    );
    await life.start();
    await life.stop();
    expect(log).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('stops what already runs when a later component fails to start', async () => {
    const log: string[] = [];
    const life = new Lifecycle(
      [recorder(log, 'a'), recorder(log, 'b'), recorder(log, 'c', 'start'), recorder(log, 'd')],
      silentLogger(),
    );
    await expect(life.start()).rejects.toThrow('c cannot start');
    expect(log).toEqual(['start a', 'start b', 'stop b', 'stop a']);
  });

  it('keeps stopping the others when one fails to stop', async () => {
    const log: string[] = [];
    const life = new Lifecycle(
      [recorder(log, 'a'), recorder(log, 'b', 'stop'), recorder(log, 'c')],
      silentLogger(),
    );
    await life.start();
    await life.stop();
    expect(log.slice(3)).toEqual(['stop c', 'stop b', 'stop a']);
  });
});

describe('EventBus', () => {
  interface Events {
    tick: number;
  }

  it('delivers to every listener even when one throws or rejects', async () => {
    const bus = new EventBus<Events>(silentLogger());
    const seen: string[] = [];
    bus.on('tick', 'thrower', () => {
      throw new Error('boom');
    });
    bus.on('tick', 'rejecter', async () => {
      throw new Error('async boom');
    });
    bus.on('tick', 'good', (n) => {
      seen.push(`good ${n}`);
    });
    expect(() => bus.emit('tick', 1)).not.toThrow();
    bus.emit('tick', 2);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['good 1', 'good 2']);
  });

  it('stops delivering after unsubscribe', () => {
    const bus = new EventBus<Events>(silentLogger());
    const seen: number[] = [];
    const off = bus.on('tick', 'x', (n) => {
      seen.push(n);
    });
    bus.emit('tick', 1);
    off();
    bus.emit('tick', 2);
    expect(seen).toEqual([1]);
  });
});
