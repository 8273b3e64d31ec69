import type { LedgerSource } from '../../src/ledger/source.ts';
import type { HeatStop, RoomDay } from '../../src/service/ledger-inputs.ts';

/**
 * A LedgerSource kept in memory, for the ledger rules' tests and bench: the real one
 * (the ledger data work) keeps the same answers in the store.
 */
export class MemorySource implements LedgerSource {
  readonly rooms = new Map<string, RoomDay[]>();
  readonly stopList: HeatStop[] = [];
  readonly dirty = new Set<string>();
  readonly computed = new Map<string, number>();

  constructor(private readonly batchSize = 1000) {}

  setRoom(r: RoomDay) {
    const list = (this.rooms.get(r.day) ?? []).filter((x) => x.household !== r.household);
    list.push(r);
    list.sort((a, b) => (a.household < b.household ? -1 : 1));
    this.rooms.set(r.day, list);
    this.dirty.add(r.day);
  }

  async *roomDays(day: string): AsyncIterable<RoomDay[]> {
    const list = this.rooms.get(day) ?? [];
    for (let i = 0; i < list.length; i += this.batchSize) yield list.slice(i, i + this.batchSize);
  }

  async stops(fromMs: number, toMs: number): Promise<HeatStop[]> {
    return this.stopList.filter(
      (s) => s.fromMs < toMs && (s.untilMs === null || s.untilMs > fromMs),
    );
  }

  async dirtyDays(): Promise<string[]> {
    return [...this.dirty].sort();
  }

  async markComputed(day: string, atMs: number): Promise<void> {
    this.dirty.delete(day);
    this.computed.set(day, atMs);
  }
}
