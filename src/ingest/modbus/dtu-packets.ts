import type { DtuPacket } from '../../config/schema-modbus-dtu.ts';

/**
 * A DTU's registration and heartbeat packets as bytes, and their removal from the stream.
 * DTU manuals (USR, Air720 …) write them as text ("ping"), as hex ("FE 01") or as the
 * module's IMEI (15 digits, sent as ASCII).
 */
export function packetBytes(packet: DtuPacket): Buffer {
  if (packet.format === 'hex') return Buffer.from(packet.value.replace(/[\s:-]/g, ''), 'hex');
  return Buffer.from(packet.value, 'ascii');
}

/** Why a packet's text cannot be used, or undefined when it can. */
export function packetProblem(packet: DtuPacket): string | undefined {
  if (packet.format === 'hex') {
    const digits = packet.value.replace(/[\s:-]/g, '');
    if (!/^([0-9a-fA-F]{2})+$/.test(digits)) return 'hex must be whole bytes, e.g. "FE 01"';
  }
  if (packet.format === 'imei' && !/^\d{15}$/.test(packet.value)) return 'an IMEI is 15 digits';
  if (packet.format === 'ascii' && !/^[\x20-\x7e]+$/.test(packet.value)) {
    return 'ascii must be printable; write other bytes as hex';
  }
  return undefined;
}

/** How a claimed id reads in a log line: as text when it is text, else as hex. */
export function describeBytes(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  return /^[\x20-\x7e]+$/.test(text) ? JSON.stringify(text) : `0x${bytes.toString('hex')}`;
}

export interface Stripped {
  rest: Buffer;
  heartbeats: number;
  registrations: number;
}

/**
 * Removes registration and heartbeat packets from the front of a chunk, as often as they
 * repeat there. A DTU sends either as a packet of its own or in front of a frame (the
 * "registration with every packet" mode), never inside one, so the front is where to
 * look: searching a frame's body for "ping" would cut a register that happens to hold it.
 */
export function stripPackets(chunk: Buffer, registration: Buffer, heartbeat?: Buffer): Stripped {
  let rest = chunk;
  let heartbeats = 0;
  let registrations = 0;
  for (;;) {
    if (startsWith(rest, registration)) {
      rest = rest.subarray(registration.length);
      registrations++;
    } else if (heartbeat && startsWith(rest, heartbeat)) {
      rest = rest.subarray(heartbeat.length);
      heartbeats++;
    } else return { rest, heartbeats, registrations };
  }
}

function startsWith(buffer: Buffer, prefix: Buffer): boolean {
  return (
    prefix.length > 0 &&
    buffer.length >= prefix.length &&
    buffer.subarray(0, prefix.length).equals(prefix)
  );
}

/** The registration `pending` starts with, "wait" while it may still become one, or none. */
export function identify<T extends { bytes: Buffer }>(
  pending: Buffer,
  known: readonly T[],
): T | 'wait' | undefined {
  const match = known.find((k) => startsWith(pending, k.bytes));
  if (match) return match;
  const couldBe = known.some(
    (k) => pending.length < k.bytes.length && k.bytes.subarray(0, pending.length).equals(pending),
  );
  return couldBe ? 'wait' : undefined;
}
