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
  readonly value: T;
  readonly next: Entry<T> | undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: any character above 0x7f
const NOT_ASCII = /[^\x00-\x7f]/;

export class TopicBytesMap<T> {
  private readonly chains = new Map<number, Entry<T>>();
  private size = 0;

  constructor(private readonly max: number) {}

  get(buf: Buffer, start: number, end: number): T | undefined {
    for (let e = this.chains.get(hash(buf, start, end)); e; e = e.next) {
      if (e.bytes ? sameBytes(e.bytes, buf, start, end) : sameAscii(e.topic, buf, start, end)) {
        return e.value;
      }
    }
    return undefined;
  }

  /** `topic` is the string of those bytes (the caller decoded it once, on the miss). */
  set(buf: Buffer, start: number, end: number, topic: string, value: T): void {
    if (this.size >= this.max) {
      this.chains.clear();
      this.size = 0;
    }
    const h = hash(buf, start, end);
    // A copy when needed at all: the read the bytes came from is gone after this message.
    const bytes = NOT_ASCII.test(topic) ? Buffer.from(buf.subarray(start, end)) : undefined;
    this.chains.set(h, { topic, bytes, value, next: this.chains.get(h) });
    this.size++;
  }
}

/** FNV-1a, 32 bits, kept to 30 so the key stays a small integer for the Map. */
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
