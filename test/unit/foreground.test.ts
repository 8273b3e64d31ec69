import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ForegroundGate, MAX_DEFER_MS } from '../../src/core/foreground.ts';

describe('ForegroundGate: background turns wait for calls in flight', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('lets the background go at once when no call is in flight', () => {
    const gate = new ForegroundGate();
    const go = vi.fn();
    gate.whenClear(go);
    expect(go).toHaveBeenCalledOnce();
  });

  it('holds the background until the last call in flight is answered', () => {
    const gate = new ForegroundGate();
    const first = gate.enter();
    const second = gate.enter();
    const go = vi.fn();
    gate.whenClear(go);
    first();
    vi.advanceTimersByTime(0);
    expect(go).not.toHaveBeenCalled();
    second();
    vi.advanceTimersByTime(0);
    expect(go).toHaveBeenCalledOnce();
  });

  it('counts an answer once however often it is reported (finish, then close)', () => {
    const gate = new ForegroundGate();
    const first = gate.enter();
    gate.enter(); // still in flight
    first();
    first();
    const go = vi.fn();
    gate.whenClear(go);
    vi.advanceTimersByTime(MAX_DEFER_MS - 1);
    expect(go).not.toHaveBeenCalled();
  });

  it('waits no longer than its patience for a call that stays open', () => {
    const gate = new ForegroundGate();
    gate.enter();
    const go = vi.fn();
    gate.whenClear(go);
    gate.whenClear(go);
    vi.advanceTimersByTime(MAX_DEFER_MS - 1);
    expect(go).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2);
    expect(go).toHaveBeenCalledTimes(2);
    // The next turn waits its own patience again.
    const later = vi.fn();
    gate.whenClear(later);
    vi.advanceTimersByTime(MAX_DEFER_MS - 1);
    expect(later).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2);
    expect(later).toHaveBeenCalledOnce();
  });
});
