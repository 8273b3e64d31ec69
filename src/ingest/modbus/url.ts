/**
 * Device addresses (DESIGN §4.1): `tcp://host:port`, `rtu-over-tcp://host:port`,
 * `rtu:///dev/ttyUSB0?baud=9600&parity=none&dataBits=8&stopBits=1`.
 */
export type ModbusEndpoint =
  | { transport: 'tcp' | 'rtu-over-tcp'; host: string; port: number; key: string }
  | {
      transport: 'rtu';
      path: string;
      baudRate: number;
      parity: 'none' | 'even' | 'odd';
      dataBits: 7 | 8;
      stopBits: 1 | 2;
      key: string;
    };

const PARITIES = ['none', 'even', 'odd'] as const;
const RTU_PARAMS = ['baud', 'parity', 'dataBits', 'stopBits'];

/** Parses a device URL or throws an Error whose message says what is wrong. */
export function parseModbusUrl(url: string): ModbusEndpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(
      `not a URL: "${url}" (expected tcp://host:port, rtu-over-tcp://… or rtu:///dev/…)`,
    );
  }
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme === 'tcp' || scheme === 'rtu-over-tcp') {
    const port = u.port === '' ? 502 : Number(u.port);
    if (!u.hostname) throw new Error(`missing host in "${url}"`);
    if (port === 0) throw new Error(`port 0 is not a destination in "${url}"`);
    if ((u.pathname !== '' && u.pathname !== '/') || u.search !== '') {
      throw new Error(`unexpected path or query in "${url}" (tcp://host:port)`);
    }
    const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    return { transport: scheme, host, port, key: `${scheme}://${host}:${port}` };
  }
  if (scheme === 'rtu') {
    if (!u.pathname || u.pathname === '/') {
      throw new Error(`missing serial device path in "${url}"`);
    }
    if (u.hostname !== '') throw new Error(`serial URLs have no host: rtu:///dev/… in "${url}"`);
    const unknown = [...u.searchParams.keys()].filter((k) => !RTU_PARAMS.includes(k));
    if (unknown.length > 0) {
      throw new Error(
        `unknown parameter ${unknown.join(', ')} in "${url}" (${RTU_PARAMS.join(', ')})`,
      );
    }
    const baudRate = Number(u.searchParams.get('baud') ?? 9600);
    const parity = u.searchParams.get('parity') ?? 'none';
    const dataBits = Number(u.searchParams.get('dataBits') ?? 8);
    const stopBits = Number(u.searchParams.get('stopBits') ?? 1);
    if (!Number.isInteger(baudRate) || baudRate <= 0) throw new Error(`bad baud rate in "${url}"`);
    if (!(PARITIES as readonly string[]).includes(parity)) {
      throw new Error(`parity must be none, even or odd in "${url}"`);
    }
    if (dataBits !== 7 && dataBits !== 8) throw new Error(`dataBits must be 7 or 8 in "${url}"`);
    if (stopBits !== 1 && stopBits !== 2) throw new Error(`stopBits must be 1 or 2 in "${url}"`);
    return {
      transport: 'rtu',
      path: u.pathname,
      baudRate,
      parity: parity as (typeof PARITIES)[number],
      dataBits,
      stopBits,
      // One lock per serial bus: every device on the same path shares it.
      key: `rtu://${u.pathname}`,
    };
  }
  throw new Error(`unsupported scheme "${scheme}:" in "${url}" (tcp, rtu-over-tcp or rtu)`);
}
