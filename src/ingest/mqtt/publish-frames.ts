/**
 * PUBLISH frames read straight off the socket's chunks (issue 14). MQTT.js turns every
 * PUBLISH into a packet object through a BufferList, copies its payload, traces it through
 * `debug` and takes a `nextTick` per packet; under a burst that was 12–15 % of heatnet's
 * busy time before any of our own code ran. This reader splits a read into frames itself:
 * the QoS 0/1 PUBLISHes it fully understands go to `publish` (a reused view, valid only
 * during the call, payload not copied), every other frame goes whole and in order to
 * `other` (MQTT.js still handles CONNACK, SUBACK, PINGRESP, its own PUBACKs, QoS 2 …).
 *
 * Anything malformed, or a property this reader does not know, turns it into a pass-
 * through from that byte on, for good: MQTT.js then meets the same bytes it always did
 * and reacts as it always has, so no input is treated differently than before.
 *
 * Wire format: MQTT 3.1.1 §2.2 (fixed header, remaining length), §3.3 (PUBLISH);
 * MQTT 5 §2.2.2, §3.3.2.3 (PUBLISH properties), §3.3.2.3.4 (topic alias).
 */
/**
 * One PUBLISH, as positions in the socket read it came in (no copy of anything): valid
 * only during the `publish` call that hands it over; the reader reuses it.
 */
export class PublishView {
  /** The socket read (or the reassembled bytes) the frame lies in. */
  data: Buffer = Buffer.alloc(0);
  /** Where the topic's UTF-8 bytes lie in `data`, unless it came by an alias. */
  topicStart = 0;
  topicEnd = 0;
  /** The topic an MQTT 5 topic alias stood for (then there are no topic bytes). */
  aliasTopic: string | undefined;
  payloadStart = 0;
  payloadEnd = 0;
  qos: 0 | 1 = 0;
  /** The packet identifier (QoS 1); 0 for QoS 0. */
  messageId = 0;
  dup = false;
  retain = false;

  /** The topic as a string (decoded on each call: the hot path keys on the bytes). */
  get topic(): string {
    return this.aliasTopic ?? this.data.toString('utf8', this.topicStart, this.topicEnd);
  }

  /** The payload as a view of `data`: read it during the call, never keep it. */
  get payload(): Buffer {
    return this.data.subarray(this.payloadStart, this.payloadEnd);
  }
}

export interface FrameSink {
  publish(view: PublishView): void;
  /** A whole frame that is not a QoS 0/1 PUBLISH, or everything from a malformed one on. */
  other(bytes: Buffer): void;
}

const PUBLISH = 3;
/** MQTT 5 PUBLISH property identifiers (§3.3.2.3) and how long their values are. */
const TOPIC_ALIAS = 0x23;
const BYTE_PROPS = new Set([0x01]); // payload format indicator
const FOUR_BYTE_PROPS = new Set([0x02]); // message expiry interval
const STRING_PROPS = new Set([0x03, 0x08, 0x09]); // content type, response topic, correlation data
const USER_PROPERTY = 0x26;
const SUBSCRIPTION_ID = 0x0b;

/**
 * A variable byte integer (§1.5.5) at `at`: the offset after it, its value left in
 * `varint.value` (no object per frame); -1 if cut short by `end` or longer than 4 bytes.
 */
function varint(buf: Buffer, at: number, end: number): number {
  let value = 0;
  let mul = 1;
  for (let i = at; i < end && i < at + 4; i++) {
    const byte = buf[i]!;
    value += (byte & 0x7f) * mul;
    if ((byte & 0x80) === 0) {
      varint.value = value;
      return i + 1;
    }
    mul *= 128;
  }
  return -1;
}
varint.value = 0;

export class PublishReader {
  /** The start of a frame the last chunk cut short. */
  private rest: Buffer | undefined;
  private passThrough = false;
  /** MQTT 5 topic aliases the broker set on this connection (§3.3.2.3.4). */
  private readonly aliases = new Map<number, string>();
  private readonly view = new PublishView();

  constructor(
    private readonly v5: boolean,
    private readonly sink: FrameSink,
  ) {}

  /** False once something malformed turned the reader into a pass-through. */
  get parsing(): boolean {
    return !this.passThrough;
  }

  /** One socket read: every whole frame in it, in order; keeps a cut-off tail for the next. */
  read(chunk: Buffer): void {
    if (this.passThrough) {
      this.sink.other(chunk);
      return;
    }
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = undefined;
    let pos = 0;
    while (pos < buf.length) {
      const body = buf.length - pos < 2 ? -1 : varint(buf, pos + 1, buf.length);
      if (body < 0) {
        // Five length bytes cannot be a cut-off header: MQTT.js shall judge it.
        if (buf.length - pos > 5) {
          this.giveUp(buf, pos);
          return;
        }
        break;
      }
      const end = body + varint.value;
      if (end > buf.length) break;
      const first = buf[pos]!;
      const qos = (first >> 1) & 3;
      if (first >> 4 !== PUBLISH || qos > 1) this.sink.other(buf.subarray(pos, end));
      else if (!this.publish(buf, first, body, end)) {
        this.giveUp(buf, pos);
        return;
      }
      pos = end;
    }
    if (pos < buf.length) this.rest = Buffer.from(buf.subarray(pos));
  }

  private giveUp(buf: Buffer, at: number): void {
    this.passThrough = true;
    this.aliases.clear();
    this.sink.other(buf.subarray(at));
  }

  /** A QoS 0/1 PUBLISH between `at` (after the fixed header) and `end`; false if malformed. */
  private publish(buf: Buffer, first: number, at: number, end: number): boolean {
    const view = this.view;
    if (at + 2 > end) return false;
    const topicEnd = at + 2 + buf.readUInt16BE(at);
    view.qos = ((first >> 1) & 3) as 0 | 1;
    let pos = topicEnd + (view.qos === 1 ? 2 : 0);
    if (pos > end) return false;
    view.messageId = view.qos === 1 ? buf.readUInt16BE(topicEnd) : 0;
    // §2.3.1: a QoS 1 PUBLISH carries a non-zero packet identifier.
    if (view.qos === 1 && view.messageId === 0) return false;
    view.aliasTopic = undefined;
    if (this.v5) {
      const props = varint(buf, pos, end);
      const propsEnd = props + varint.value;
      if (props < 0 || propsEnd > end) return false;
      const alias = this.properties(buf, props, propsEnd);
      if (alias === null) return false;
      pos = propsEnd;
      if (alias > 0 && topicEnd > at + 2) {
        this.aliases.set(alias, buf.toString('utf8', at + 2, topicEnd));
      } else if (alias > 0) {
        view.aliasTopic = this.aliases.get(alias);
        if (view.aliasTopic === undefined) return false;
      }
    }
    if (topicEnd === at + 2 && view.aliasTopic === undefined) return false;
    view.data = buf;
    view.topicStart = at + 2;
    view.topicEnd = topicEnd;
    view.payloadStart = pos;
    view.payloadEnd = end;
    view.dup = (first & 8) !== 0;
    view.retain = (first & 1) !== 0;
    this.sink.publish(view);
    return true;
  }

  /** Walks the properties; the topic alias (0 if none), or null if one is unknown or cut. */
  private properties(buf: Buffer, at: number, end: number): number | null {
    let alias = 0;
    let pos = at;
    while (pos < end) {
      const id = buf[pos++]!;
      if (id === TOPIC_ALIAS) {
        if (pos + 2 > end) return null;
        alias = buf.readUInt16BE(pos);
        if (alias === 0) return null; // §3.3.2.3.4: 0 is not a valid alias
        pos += 2;
      } else if (BYTE_PROPS.has(id)) pos += 1;
      else if (FOUR_BYTE_PROPS.has(id)) pos += 4;
      else if (STRING_PROPS.has(id)) pos = skipString(buf, pos, end);
      else if (id === USER_PROPERTY) pos = skipString(buf, skipString(buf, pos, end), end);
      else if (id === SUBSCRIPTION_ID) {
        const next = varint(buf, pos, end);
        pos = next < 0 ? end + 1 : next;
      } else return null;
      if (pos > end) return null;
    }
    return alias;
  }
}

/** The offset after a two-byte-length string or binary; past `end` if it does not fit. */
function skipString(buf: Buffer, at: number, end: number): number {
  if (at + 2 > end) return end + 1;
  return at + 2 + buf.readUInt16BE(at);
}
