/**
 * A map keyed by a topic's UTF-8 bytes where they lie in a socket read (issue 14): a
 * message's topic is found without decoding it to a string and hashing that (the two
 * were ~5 % of a burst's busy time, for a string thrown away at once). FNV-1a over the
 * bytes picks a chain; the bytes themselves are compared, so a collision costs a
 * comparison, never a wrong answer. Entries keep the topic string (which the router keeps
 * anyway), not a copy of the bytes, unless it is not ASCII. Bounded: past `max` entries
 * it starts over.
 */
interface Entry<T> {
  /** The topic; an ASCII one is compared with the bytes character by character. */
  readonly topic: string;
  /** Its bytes, kept only when it is not ASCII (a byte is not a character then). */
  readonly bytes: Buffer | undefined;
  /** Its bytes' hash: where the entry goes when the chains double. */
  readonly hash: number;
  readonly value: T;
  /** The chain's next entry (re-linked when the chains double). */
  next: Entry<T> | undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: any character above 0x7f
const NOT_ASCII = /[^\x00-\x7f]/;

export class TopicBytesMap<T> {
  /**
   * Chains by the hash's low bits, in an array rather than a Map: a message's lookup is an
   * index, not a hash-table probe of its own (issue 14). Grown to keep chains short.
   */
  private chains: (Entry<T> | undefined)[] = new Array(FIRST_CHAINS);
  private mask = FIRST_CHAINS - 1;
  private size = 0;

  constructor(private readonly max: number) {}

  get(buf: Buffer, start: number, end: number): T | undefined {
    for (let e = this.chains[hash(buf, start, end) & this.mask]; e; e = e.next) {
      if (e.bytes ? sameBytes(e.bytes, buf, start, end) : sameAscii(e.topic, buf, start, end)) {
        return e.value;
      }
    }
    return undefined;
  }

  /** `topic` is the string of those bytes (the caller decoded it once, on the miss). */
  set(buf: Buffer, start: number, end: number, topic: string, value: T): void {
    if (this.size >= this.max) {
      this.chains = new Array(FIRST_CHAINS);
      this.mask = FIRST_CHAINS - 1;
      this.size = 0;
    }
    if (this.size >= this.chains.length) this.grow();
    const h = hash(buf, start, end);
    // A copy when needed at all: the read the bytes came from is gone after this message.
    const bytes = NOT_ASCII.test(topic) ? Buffer.from(buf.subarray(start, end)) : undefined;
    this.chains[h & this.mask] = { topic, bytes, hash: h, value, next: this.chains[h & this.mask] };
    this.size++;
  }

  /** Twice the chains, each entry re-linked (in place) by one more bit of its hash. */
  private grow(): void {
    const old = this.chains;
    this.chains = new Array(old.length * 2);
    this.mask = this.chains.length - 1;
    for (const head of old) {
      let e = head;
      while (e) {
        const next = e.next;
        e.next = this.chains[e.hash & this.mask];
        this.chains[e.hash & this.mask] = e;
        e = next;
      }
    }
  }
}

/** Chains of a new map; it doubles when it holds as many entries as chains. */
const FIRST_CHAINS = 1024;

/** FNV-1a, 32 bits, kept to 30: a small integer, whose low bits pick the chain. */
function hash(buf: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h & 0x3fffffff;
}

function sameAscii(topic: string, buf: Buffer, start: number, end: number): boolean {
  if (topic.length !== end - start) return false;
  for (let i = 0; i < topic.length; i++) if (topic.charCodeAt(i) !== buf[start + i]) return false;
  return true;
}

function sameBytes(bytes: Buffer, buf: Buffer, start: number, end: number): boolean {
  if (bytes.length !== end - start) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== buf[start + i]) return false;
  return true;
}
