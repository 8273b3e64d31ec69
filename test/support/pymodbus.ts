// pymodbus (Debian's python3-pymodbus, an independent Modbus implementation) as the PLC
// and a DTU emulator for the Modbus wire tests (issue 16), and socat pty pairs for serial.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegisterField } from '../../src/config/schema.ts';
import { freePort } from './ports.ts';
import { findBinary, type ManagedProcess, spawnManaged, waitUntilReady } from './process.ts';

/** Debian's python, which has pymodbus (a pyenv python3 earlier on PATH does not). */
const PYTHON = process.env.HEATNET_PYMODBUS_PYTHON ?? '/usr/bin/python3';
const HERE = new URL('.', import.meta.url).pathname;
const READY_TIMEOUT_MS = 20_000;

export interface PlcField
  extends Omit<RegisterField, 'scale' | 'offset' | 'sentinels' | 'writable'> {
  scale?: number;
  value: number | boolean | string;
  raw?: number;
}

/** Every field the PLC serves: each type in each byte order, a string, bits, coils, inputs. */
export const PLC_FIELDS: PlcField[] = JSON.parse(
  readFileSync(join(HERE, 'pymodbus-plc-fields.json'), 'utf8'),
) as PlcField[];

/** The PLC's register map, as a heatnet config would write it. */
export function plcRegisterMap(): RegisterField[] {
  return PLC_FIELDS.map(({ value: _value, raw: _raw, scale, ...f }) => ({
    ...f,
    scale: scale ?? 1,
    offset: 0,
    sentinels: false,
    writable: false,
  }));
}

/** What each field must decode to. */
export function plcExpected(): Record<string, number | boolean | string> {
  return Object.fromEntries(PLC_FIELDS.map((f) => [f.field, f.value]));
}

export interface Served {
  port: number;
  proc: ManagedProcess;
  stop(): Promise<void>;
}

async function started(proc: ManagedProcess, what: string): Promise<void> {
  await waitUntilReady(proc, what, async () => proc.output().includes('READY'), READY_TIMEOUT_MS);
}

/** The PLC over Modbus TCP or RTU over TCP, on a free port, answering `units`. */
export async function startPlc(mode: 'tcp' | 'rtu-over-tcp', units = [1]): Promise<Served> {
  const port = await freePort();
  const proc = spawnManaged(`pymodbus PLC (${mode})`, PYTHON, [
    join(HERE, 'pymodbus_plc.py'),
    '--mode',
    mode,
    '--port',
    String(port),
    '--units',
    units.join(','),
  ]);
  await started(proc, 'READY');
  return { port, proc, stop: () => proc.stop() };
}

/** The PLC on one end of a serial line. */
export async function startSerialPlc(device: string, baud: number): Promise<ManagedProcess> {
  const proc = spawnManaged('pymodbus PLC (serial)', PYTHON, [
    join(HERE, 'pymodbus_plc.py'),
    '--mode',
    'serial',
    '--device',
    device,
    '--baud',
    String(baud),
  ]);
  await started(proc, 'READY');
  return proc;
}

export interface PtyPair {
  /** heatnet's end and the PLC's end of the "cable". */
  a: string;
  b: string;
  stop(): Promise<void>;
}

/** A null-modem cable: two ptys joined by socat. */
export async function ptyPair(): Promise<PtyPair> {
  const dir = await mkdtemp(join(tmpdir(), 'heatnet-pty-'));
  const a = join(dir, 'heatnet');
  const b = join(dir, 'plc');
  const proc = spawnManaged('socat', findBinary('socat', 'HEATNET_SOCAT'), [
    '-d',
    `pty,raw,echo=0,link=${a}`,
    `pty,raw,echo=0,link=${b}`,
  ]);
  await waitUntilReady(
    proc,
    'both ptys',
    async () => existsSync(a) && existsSync(b),
    READY_TIMEOUT_MS,
  );
  return {
    a,
    b,
    async stop() {
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface DtuOptions {
  server: number;
  plc: number;
  registration: Buffer;
  registerMode?: 'connect' | 'every-frame' | 'both';
  heartbeat?: Buffer;
  heartbeatEveryS?: number;
  heartbeatMid?: boolean;
  dropAfter?: number;
}

/** The DTU emulator: dials heatnet on `server`, passes RTU through to the PLC on `plc`. */
export function startDtu(o: DtuOptions): ManagedProcess {
  const args = [
    join(HERE, 'pymodbus_dtu.py'),
    '--server',
    `127.0.0.1:${o.server}`,
    '--plc',
    `127.0.0.1:${o.plc}`,
    '--registration',
    o.registration.toString('hex'),
    '--register-mode',
    o.registerMode ?? 'connect',
    '--heartbeat-every',
    String(o.heartbeatEveryS ?? 0.3),
    '--drop-after',
    String(o.dropAfter ?? 0),
  ];
  if (o.heartbeat) args.push('--heartbeat', o.heartbeat.toString('hex'));
  if (o.heartbeatMid) args.push('--heartbeat-mid');
  return spawnManaged('pymodbus DTU', PYTHON, args);
}
