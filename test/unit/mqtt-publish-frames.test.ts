import fc from 'fast-check';
// mqtt-packet is MQTT.js's own codec: an independent implementation to check ours against.
import mqttPacket, { type IPublishPacket } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { PublishReader } from '../../src/ingest/mqtt/publish-frames.ts';

interface Seen {
  topic: string;
  payload: string;
  qos: number;
  messageId: number;
  dup: boolean;
  retain: boolean;
}

/** A reader over `v5`, recording PUBLISHes (copied: the view is reused) and other bytes. */
function reader(v5: boolean) {
  const publishes: Seen[] = [];
  const other: Buffer[] = [];
  const r = new PublishReader(v5, {
    publish: (v) =>
      publishes.push({
        topic: v.topic,
        payload: v.payload.toString('latin1'),
        qos: v.qos,
        messageId: v.messageId,
        dup: v.dup,
        retain: v.retain,
      }),
    other: (bytes) => other.push(Buffer.from(bytes)),
  });
  return { r, publishes, other, otherBytes: () => Buffer.concat(other).toString('hex') };
}

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const pub = (over: Partial<Seen>): Seen => ({
  topic: 'a/b',
  payload: '',
  qos: 0,
  messageId: 0,
  dup: false,
  retain: false,
  ...over,
});

describe('PublishReader: golden byte vectors', () => {
  it('reads MQTT 3.1.1 PUBLISHes: QoS 0, QoS 1, DUP, retain, a two-byte length', () => {
    const { r, publishes, other } = reader(false);
    // QoS 0 "a/b" {} | QoS 1 id 0x0102 "x" | DUP QoS 1 id 7 "y" | retained QoS 0 "z"
    r.read(hex('30 07 0003 612f62 7b7d  32 08 0003 612f62 0102 78  3a 08 0003 612f62 0007 79'));
    r.read(hex('31 06 0003 612f62 7a'));
    const long = 'p'.repeat(200); // remaining length 207: 0xcf 0x01 (§2.2.3)
    r.read(Buffer.concat([hex('32 cf01 0003 612f62 ffff'), Buffer.from(long)]));
    expect(publishes).toEqual([
      pub({ payload: '{}' }),
      pub({ payload: 'x', qos: 1, messageId: 0x0102 }),
      pub({ payload: 'y', qos: 1, messageId: 7, dup: true }),
      pub({ payload: 'z', retain: true }),
      pub({ payload: long, qos: 1, messageId: 0xffff }),
    ]);
    expect(other).toEqual([]);
  });

  it('reads MQTT 5 PUBLISHes past their properties, and resolves topic aliases', () => {
    const { r, publishes } = reader(true);
    // QoS 1, no properties | QoS 1, alias 5 set with the topic | QoS 0, alias 5 alone
    r.read(hex('32 09 0003 612f62 0007 00 78  32 0c 0003 612f62 0008 03 230005 78'));
    r.read(hex('30 07 0000 03 230005 79'));
    // QoS 1 with every other PUBLISH property: payload format 1, expiry 60, content type
    // "j", response topic "r", correlation data 0xaa, user property k=v, subscription id 300.
    const props = hex(
      '0101 020000003c 03 0001 6a 08 0001 72 09 0001 aa 26 0001 6b 0001 76 0b ac02',
    );
    const body = Buffer.concat([hex('0003 612f62 0009'), Buffer.from([props.length]), props]);
    r.read(Buffer.concat([hex('32'), Buffer.from([body.length + 1]), body, Buffer.from('z')]));
    expect(publishes).toEqual([
      pub({ payload: 'x', qos: 1, messageId: 7 }),
      pub({ payload: 'x', qos: 1, messageId: 8 }),
      pub({ payload: 'y' }),
      pub({ payload: 'z', qos: 1, messageId: 9 }),
    ]);
  });

  it('passes every other packet on whole and in order, QoS 2 PUBLISH included', () => {
    const { r, publishes, otherBytes } = reader(false);
    // CONNACK, PINGRESP, SUBACK, a PUBLISH, a QoS 2 PUBLISH, PUBACK (of our own publish)
    r.read(hex('20020000 d000 9003000101 30060003612f6278 34080003612f62000978 40020004'));
    expect(publishes).toEqual([pub({ payload: 'x' })]);
    expect(otherBytes()).toBe('20020000d0009003000101' + '34080003612f62000978' + '40020004');
  });

  it('gives the same frames however the stream is cut', () => {
    const stream = hex(
      '20020000 32 08 0003 612f62 0102 78 d000 30 07 0003 612f62 7b7d 3a 08 0003 612f62 0007 79',
    );
    const whole = reader(false);
    whole.r.read(stream);
    for (let cut = 1; cut < stream.length; cut++) {
      for (let second = cut; second <= stream.length; second++) {
        const parts = reader(false);
        parts.r.read(stream.subarray(0, cut));
        parts.r.read(stream.subarray(cut, second));
        parts.r.read(stream.subarray(second));
        expect(parts.publishes).toEqual(whole.publishes);
        expect(parts.otherBytes()).toBe(whole.otherBytes());
      }
    }
  });

  it('hands everything from a malformed frame on to MQTT.js, for good', () => {
    const cases = [
      '32 06 0003 612f62 0000', // QoS 1 with packet id 0 (§2.3.1)
      '30 04 0009 612f', // topic longer than the frame
      '32 09 0003 612f62 0007 01 7f', // MQTT 5: unknown property 0x7f
      '30 07 0000 03 230009 79', // MQTT 5: an alias never set
      '30 ffffffff7f', // remaining length of five bytes
    ];
    for (const bad of cases) {
      const { r, publishes, otherBytes } = reader(true);
      r.read(hex(`30 06 0003 612f62 00 ${bad}`));
      r.read(hex('30 06 0003 612f62 78'));
      expect(publishes, bad).toEqual([pub({ payload: '' })]);
      expect(otherBytes(), bad).toBe(hex(`${bad} 30 06 0003 612f62 78`).toString('hex'));
      expect(r.parsing).toBe(false);
    }
  });
});

describe('PublishReader against mqtt-packet (property)', () => {
  const packet = fc.record({
    topic: fc.stringMatching(/^[a-z0-9/é]{1,30}$/),
    payload: fc.uint8Array({ maxLength: 300 }),
    qos: fc.constantFrom(0, 1) as fc.Arbitrary<0 | 1>,
    messageId: fc.integer({ min: 1, max: 65_535 }),
    dup: fc.boolean(),
    retain: fc.boolean(),
    userProperties: fc.option(
      // mqtt-packet writes nothing at all for an empty map
      fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), fc.string(), { minKeys: 1 }),
    ),
  });

  for (const protocolVersion of [4, 5] as const) {
    it(`reads what mqtt-packet writes (MQTT ${protocolVersion}), cut anywhere`, () => {
      fc.assert(
        fc.property(
          fc.array(packet, { maxLength: 8 }),
          fc.array(fc.nat(), { maxLength: 4 }),
          (packets, cuts) => {
            const frames = packets.map((p) => {
              const { userProperties, ...rest } = p;
              const properties =
                protocolVersion === 5 && userProperties ? { userProperties } : undefined;
              const message: IPublishPacket = {
                cmd: 'publish',
                ...rest,
                payload: Buffer.from(p.payload),
                ...(properties ? { properties } : {}),
              };
              return mqttPacket.generate(message, { protocolVersion });
            });
            const stream = Buffer.concat(frames);
            const { r, publishes, other } = reader(protocolVersion === 5);
            let at = 0;
            for (const c of [...cuts.map((c) => c % (stream.length + 1))].sort((a, b) => a - b)) {
              r.read(stream.subarray(at, c));
              at = c;
            }
            r.read(stream.subarray(at));
            expect(other).toEqual([]);
            expect(publishes).toEqual(
              packets.map((p) =>
                pub({
                  topic: p.topic,
                  payload: Buffer.from(p.payload).toString('latin1'),
                  qos: p.qos,
                  messageId: p.qos === 1 ? p.messageId : 0,
                  dup: p.dup,
                  retain: p.retain,
                }),
              ),
            );
          },
        ),
        { numRuns: 300 },
      );
    });
  }
});
