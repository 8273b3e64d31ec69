/**
 * Device addresses (DESIGN §4.1): `tcp://host:port`, `rtu-over-tcp://host:port?baud=9600`
 * (the baud rate of the serial line behind the device server: it sets the inter-frame
 * silence and the bus budget), `rtu:///dev/ttyUSB0?baud=9600&parity=none&dataBits=8&stopBits=1`,
 * and a DTU that dials in (a device `via` it, no URL).
 */
export type ModbusEndpoint =
  | { transport: 'tcp'; host: string; port: number; key: string }
  | {
      transport: 'rtu-over-tcp';
      host: string;
      port: number;
      /** The serial line's, when the URL gives it (`?baud=`); else DEFAULT_BAUD is assumed. */
      baudRate?: number;
      key: string;
    }
  | { transport: 'dtu'; dtu: string; baudRate: number; key: string }
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
/** What RS-485 field buses run at unless told otherwise. */
export const DEFAULT_BAUD = 9600;
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
    const query = [...u.searchParams.keys()];
    const allowed = scheme === 'rtu-over-tcp' ? ['baud'] : [];
    if ((u.pathname !== '' && u.pathname !== '/') || query.some((k) => !allowed.includes(k))) {
      throw new Error(
        `unexpected path or query in "${url}" (${scheme}://host:port${allowed.length > 0 ? '?baud=9600' : ''})`,
      );
    }
    const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const key = `${scheme}://${host}:${port}`;
    if (scheme === 'tcp') return { transport: scheme, host, port, key };
    const baud = u.searchParams.get('baud');
    if (baud === null) return { transport: scheme, host, port, key };
    const baudRate = Number(baud);
    if (!Number.isInteger(baudRate) || baudRate <= 0) throw new Error(`bad baud rate in "${url}"`);
    return { transport: scheme, host, port, baudRate, key };
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
    const baudRate = Number(u.searchParams.get('baud') ?? DEFAULT_BAUD);
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

/** The endpoint of a device reached through a dialled-in DTU: one bus per DTU. */
export function dtuEndpoint(dtu: string, baudRate: number): ModbusEndpoint {
  return { transport: 'dtu', dtu, baudRate, key: `dtu://${dtu}` };
}

/** A device's endpoint: its URL, or the DTU it is reached `via`. */
export function deviceEndpoint(
  device: { url?: string | undefined; via?: string | undefined },
  dtuBaud: (dtu: string) => number | undefined,
): ModbusEndpoint {
  if (device.via !== undefined) return dtuEndpoint(device.via, dtuBaud(device.via) ?? DEFAULT_BAUD);
  if (device.url === undefined) throw new Error('a device needs a url or a DTU to be reached via');
  return parseModbusUrl(device.url);
}

/** How a device's address reads in health and logs. */
export function deviceAddress(device: {
  url?: string | undefined;
  via?: string | undefined;
}): string {
  return device.via !== undefined ? `dtu://${device.via}` : (device.url ?? '');
}
