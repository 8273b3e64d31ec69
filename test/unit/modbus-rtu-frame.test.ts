import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { busBudgets } from '../../src/ingest/modbus/bus-budget.ts';
import {
  describeBytes,
  identify,
  packetProblem,
  stripPackets,
} from '../../src/ingest/modbus/dtu-packets.ts';
import {
  crc16,
  crcMatches,
  expectedResponse,
  findResponse,
} from '../../src/ingest/modbus/rtu-frame.ts';
import { type ByteStream, RtuStreamPort } from '../../src/ingest/modbus/rtu-port.ts';
import { testConfig } from '../support/config.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const withCrc = (body: Buffer) => {
  const crc = crc16(body);
  return Buffer.concat([body, Buffer.from([crc & 0xff, crc >> 8])]);
};

describe('RTU framing', () => {
  it('computes the CRC of the Modbus spec example (01 03 00 00 00 0A → C5 CD)', () => {
    expect(withCrc(hex('01 03 00 00 00 0A'))).toEqual(hex('01 03 00 00 00 0A C5 CD'));
    expect(crcMatches(hex('01 03 00 00 00 0A C5 CD'))).toBe(true);
    expect(crcMatches(hex('01 03 00 00 00 0A C5 CE'))).toBe(false);
  });

  it('expects the response length from the request', () => {
    expect(expectedResponse(withCrc(hex('07 03 00 05 00 02'))).length).toBe(9);
    expect(expectedResponse(withCrc(hex('07 01 00 00 00 0A'))).length).toBe(7);
    expect(expectedResponse(withCrc(hex('07 06 00 01 00 2A'))).length).toBe(8);
  });

  const expect3 = expectedResponse(withCrc(hex('07 03 00 05 00 02')));
  const answer = withCrc(hex('07 03 04 12 34 56 78'));

  it('finds the answer behind a heartbeat, a stale tail and a stray unit id', () => {
    const junk = Buffer.concat([Buffer.from('ping'), hex('07 03 99'), answer]);
    const found = findResponse(junk, expect3);
    expect(found).toEqual({ kind: 'found', start: 7, end: 7 + answer.length });
  });

  it('waits for an answer that has not fully arrived, and takes an exception', () => {
    expect(findResponse(answer.subarray(0, 5), expect3)).toEqual({ kind: 'partial', start: 0 });
    const exception = withCrc(hex('07 83 02'));
    expect(findResponse(exception, expect3)).toEqual({ kind: 'found', start: 0, end: 5 });
  });

  it('an RTU port drops bytes nobody waits for and emits whole frames', () => {
    const bus = new EventEmitter();
    const written: Buffer[] = [];
    const stream: ByteStream = {
      open: true,
      write: (b) => written.push(b),
      onData(l) {
        bus.on('data', l);
        return () => bus.off('data', l);
      },
      onClose(l) {
        bus.on('close', l);
        return () => bus.off('close', l);
      },
      end: () => undefined,
    };
    const port = new RtuStreamPort(stream, 0);
    const frames: Buffer[] = [];
    port.on('data', (f: Buffer) => frames.push(f));
    bus.emit('data', answer); // a late answer: no request waits, dropped
    port.write(withCrc(hex('07 03 00 05 00 02')));
    bus.emit('data', answer.subarray(0, 3));
    bus.emit('data', answer.subarray(3));
    expect(written).toHaveLength(1);
    expect(frames).toEqual([answer]);
  });
});

describe('DTU packets', () => {
  const reg = Buffer.from('861234567890123');
  it('strips registration and heartbeat packets from the front only', () => {
    const frame = withCrc(hex('01 03 02 70 69'));
    const chunk = Buffer.concat([reg, Buffer.from('ping'), frame]);
    expect(stripPackets(chunk, reg, Buffer.from('ping'))).toEqual({
      rest: frame,
      heartbeats: 1,
      registrations: 1,
    });
    // "pi" inside a frame's data is data.
    expect(stripPackets(frame, reg, Buffer.from('pi')).rest).toEqual(frame);
  });

  it('identifies the longest registration, waits on a prefix, refuses others', () => {
    const known = [{ bytes: Buffer.from('DTU-10') }, { bytes: Buffer.from('DTU-1') }];
    expect(identify(Buffer.from('DTU-10ping'), known)).toBe(known[0]);
    expect(identify(Buffer.from('DTU'), known)).toBe('wait');
    expect(identify(Buffer.from('XYZ'), known)).toBeUndefined();
    expect(describeBytes(Buffer.from('XYZ'))).toBe('"XYZ"');
    expect(describeBytes(hex('FE 01'))).toBe('0xfe01');
  });

  it('names bad packet values', () => {
    expect(packetProblem({ format: 'imei', value: '12345' })).toMatch(/15 digits/);
    expect(packetProblem({ format: 'hex', value: 'F' })).toMatch(/whole bytes/);
    expect(packetProblem({ format: 'hex', value: 'fe:01' })).toBeUndefined();
  });
});

describe('bus budget', () => {
  it('sums the planned requests and bytes per serial bus against its capacity', async () => {
    const config = await testConfig({
      substations: 2,
      patch(raw) {
        const [a, b] = raw.ingest.modbus.devices;
        raw.ingest.modbus.devices = [
          { ...a, url: 'rtu-over-tcp://127.0.0.1:4001?baud=9600', intervalMs: 1000 },
          { ...b, url: 'rtu-over-tcp://127.0.0.1:4001?baud=9600', intervalMs: 1000 },
        ];
      },
    });
    const [bus] = busBudgets(config);
    expect(bus).toMatchObject({
      bus: 'rtu-over-tcp://127.0.0.1:4001',
      baudRate: 9600,
      capacityBytesPerSecond: 960,
    });
    expect(bus?.requestsPerCycle).toBeGreaterThan(0);
    expect(bus?.bytesPerSecond).toBe(bus?.bytesPerCycle);
    expect(bus?.utilisation).toBeGreaterThan(bus!.bytesPerSecond / 960);
  });
});
