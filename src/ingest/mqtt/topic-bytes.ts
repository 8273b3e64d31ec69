/**
 * A map keyed by a topic's UTF-8 bytes where they lie in a socket read (issue 14): a
 * message's topic is found without decoding it to a string and hashing that (the two
 * were ~5 % of a burst's busy time, for a string thrown away at once). FNV-1a over the
 * bytes picks a chain; the bytes themselves are compared, so a collision costs a
 * comparison, never a wrong answer. Bounded: past `max` entries it starts over.
 */
interface Entry<T> {
  readonly bytes: Buffer;
  readonly value: T;
  readonly next: Entry<T> | undefined;
}

export class TopicBytesMap<T> {
  private readonly chains = new Map<number, Entry<T>>();
  private size = 0;

  constructor(private readonly max: number) {}

  get(buf: Buffer, start: number, end: number): T | undefined {
    for (let e = this.chains.get(hash(buf, start, end)); e; e = e.next) {
      if (sameBytes(e.bytes, buf, start, end)) return e.value;
    }
    return undefined;
  }

  set(buf: Buffer, start: number, end: number, value: T): void {
    if (this.size >= this.max) {
      this.chains.clear();
      this.size = 0;
    }
    const h = hash(buf, start, end);
    // A copy: the read the bytes came from is gone after this message.
    const bytes = Buffer.from(buf.subarray(start, end));
    this.chains.set(h, { bytes, value, next: this.chains.get(h) });
    this.size++;
  }
}

/** FNV-1a, 32 bits, kept to 30 so the key stays a small integer for the Map. */
function hash(buf: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h & 0x3fffffff;
}

function sameBytes(bytes: Buffer, buf: Buffer, start: number, end: number): boolean {
  if (bytes.length !== end - start) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== buf[start + i]) return false;
  return true;
}
