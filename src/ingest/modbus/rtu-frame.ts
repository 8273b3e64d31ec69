/**
 * Modbus RTU framing (Modbus over Serial Line v1.02 §2.5): a frame is unit id, function
 * code, data and a CRC-16 (polynomial 0xA001, little-endian on the wire). Over a serial
 * line frames are told apart by silence; over a TCP socket (a serial device server, a 4G
 * DTU) the silence is lost, so a response is found by what the request lets us expect:
 * its unit, its function code (or the exception bit), its length and a CRC that checks.
 */

/** CRC-16/MODBUS of `bytes`. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** True when the last two bytes of `frame` are the CRC of the rest. */
export function crcMatches(frame: Uint8Array): boolean {
  if (frame.length < 4) return false;
  const body = frame.subarray(0, frame.length - 2);
  const wire = frame[frame.length - 2]! | (frame[frame.length - 1]! << 8);
  return crc16(body) === wire;
}

/** What a request lets us expect of its response. */
export interface ExpectedResponse {
  unitId: number;
  functionCode: number;
  /** Whole frame with CRC; undefined when the length is not known from the request. */
  length: number | undefined;
}

/** The response a request (a whole RTU frame, CRC included) calls for. */
export function expectedResponse(request: Uint8Array): ExpectedResponse {
  const unitId = request[0] ?? 0;
  const functionCode = request[1] ?? 0;
  const count = request.length >= 6 ? (request[4]! << 8) | request[5]! : 0;
  let length: number | undefined;
  if (functionCode === 1 || functionCode === 2) length = 3 + Math.ceil(count / 8) + 2;
  else if (functionCode === 3 || functionCode === 4) length = 3 + 2 * count + 2;
  else if ([5, 6, 15, 16].includes(functionCode)) length = 8;
  return { unitId, functionCode, length };
}

export type FrameSearch =
  | { kind: 'found'; start: number; end: number }
  /** A candidate starts at `start` but its bytes have not all arrived. */
  | { kind: 'partial'; start: number }
  | { kind: 'none' };

const EXCEPTION_LENGTH = 5;

/**
 * Finds the first response to `expect` in `buffer`. Bytes before it (a DTU's heartbeat,
 * the tail of an answer that came too late, line noise) are skipped: a candidate counts
 * only if its CRC checks, so a stray byte equal to the unit id cannot start a false frame.
 */
export function findResponse(buffer: Uint8Array, expect: ExpectedResponse): FrameSearch {
  let partialAt: number | undefined;
  for (let i = 0; i + 1 < buffer.length; i++) {
    if (buffer[i] !== expect.unitId) continue;
    const code = buffer[i + 1];
    const length =
      code === (expect.functionCode | 0x80)
        ? EXCEPTION_LENGTH
        : code === expect.functionCode
          ? frameLength(buffer, i, expect)
          : undefined;
    if (length === undefined) continue;
    if (i + length > buffer.length) {
      partialAt ??= i;
      continue;
    }
    if (crcMatches(buffer.subarray(i, i + length)))
      return { kind: 'found', start: i, end: i + length };
  }
  return partialAt === undefined ? { kind: 'none' } : { kind: 'partial', start: partialAt };
}

/** A normal response's length: from the request, or from its byte count where it has one. */
function frameLength(buffer: Uint8Array, at: number, expect: ExpectedResponse): number | undefined {
  if (expect.length !== undefined) return expect.length;
  const byteCount = buffer[at + 2];
  return byteCount === undefined ? Number.MAX_SAFE_INTEGER : 3 + byteCount + 2;
}
