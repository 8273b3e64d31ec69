/**
 * Writes config/demo.yaml: a seeded demo network of 22 substations on two branches
 * of one plant (0.3–8 km), each with a VFD pump and 2–6 buildings. Re-run after
 * changing the shape: `npx tsx scripts/generate-demo-config.ts > config/demo.yaml`.
 */
import { compactYaml } from './yaml-compact.ts';

let state = 20261122;
/** mulberry32: small, seeded, good enough for picking a demo's shapes. */
function random(): number {
  state = (state + 0x6d2b79f5) | 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

function zones(floors: number) {
  if (floors <= 6) return [{ id: 'low', floors: [1, floors] }];
  const third = Math.round(floors / 3);
  return [
    { id: 'low', floors: [1, third] },
    { id: 'middle', floors: [third + 1, 2 * third] },
    { id: 'high', floors: [2 * third + 1, floors] },
  ];
}

const branches = [
  { name: 'north', count: 11, from: 300, to: 7800 },
  { name: 'east', count: 11, from: 450, to: 8000 },
];

const substations: unknown[] = [];
const devices: unknown[] = [];
let n = 0;
for (const branch of branches) {
  for (let i = 0; i < branch.count; i++) {
    n++;
    const id = `S${String(n).padStart(2, '0')}`;
    const distanceM = Math.round(
      branch.from + ((branch.to - branch.from) * i) / (branch.count - 1) + between(-80, 80),
    );
    const buildings = Array.from({ length: between(2, 6) }, (_, b) => {
      const floors = between(5, 18);
      return {
        id: `${id}-B${b + 1}`,
        floors,
        unitsPerFloor: between(2, 4),
        areaPerUnitM2: between(70, 120),
        zones: zones(floors),
      };
    });
    const port = 15000 + n;
    substations.push({
      id,
      name: `${branch.name === 'north' ? 'North' : 'East'} ${i + 1}`,
      source: 'P1',
      branch: branch.name,
      distanceM,
      pumps: [{ id: `${id}-P1`, ratedHz: 50, minHz: 25, maxHz: 50, maxStepHz: 5 }],
      buildings,
    });
    devices.push(
      {
        id: `${id}-plc`,
        substation: id,
        kind: 'substation',
        url: `tcp://127.0.0.1:${port}`,
        unitId: 1,
        map: 'substation-plc-v1',
      },
      {
        id: `${id}-P1-vfd`,
        substation: id,
        pump: `${id}-P1`,
        kind: 'pump',
        url: `tcp://127.0.0.1:${port}`,
        unitId: 2,
        map: 'vfd-generic',
      },
    );
  }
}

const plcMap = [
  {
    field: 'primary_supply_temp_c',
    area: 'holding',
    address: 0,
    type: 'float32',
    order: 'CDAB',
    range: [0, 150],
  },
  {
    field: 'primary_return_temp_c',
    area: 'holding',
    address: 2,
    type: 'float32',
    order: 'CDAB',
    range: [0, 150],
  },
  {
    field: 'primary_supply_pressure_mpa',
    area: 'holding',
    address: 4,
    type: 'float32',
    order: 'CDAB',
    range: [0, 2.5],
  },
  {
    field: 'primary_return_pressure_mpa',
    area: 'holding',
    address: 6,
    type: 'float32',
    order: 'CDAB',
    range: [0, 2.5],
  },
  {
    field: 'primary_flow_m3h',
    area: 'holding',
    address: 8,
    type: 'float32',
    order: 'CDAB',
    range: [0, 2000],
  },
  {
    field: 'secondary_supply_temp_c',
    area: 'input',
    address: 10,
    type: 'int16',
    scale: 0.1,
    range: [-20, 130],
  },
  {
    field: 'secondary_return_temp_c',
    area: 'input',
    address: 11,
    type: 'int16',
    scale: 0.1,
    range: [-20, 130],
  },
  {
    field: 'secondary_supply_pressure_mpa',
    area: 'input',
    address: 12,
    type: 'uint16',
    scale: 0.001,
    range: [0, 2.5],
  },
  {
    field: 'secondary_return_pressure_mpa',
    area: 'input',
    address: 13,
    type: 'uint16',
    scale: 0.001,
    range: [0, 2.5],
  },
  {
    field: 'secondary_flow_m3h',
    area: 'input',
    address: 14,
    type: 'uint32',
    scale: 0.01,
    range: [0, 5000],
  },
  {
    field: 'heat_power_kw',
    area: 'input',
    address: 16,
    type: 'float32',
    order: 'DCBA',
    range: [0, 50000],
  },
  { field: 'heat_energy_gj', area: 'holding', address: 20, type: 'uint64', scale: 0.001 },
  {
    field: 'makeup_water_m3h',
    area: 'holding',
    address: 24,
    type: 'float32',
    order: 'BADC',
    range: [0, 100],
  },
  {
    field: 'control_valve_pct',
    area: 'holding',
    address: 26,
    type: 'uint16',
    scale: 0.1,
    range: [0, 100],
  },
  { field: 'overtemp_alarm', area: 'input', address: 30, type: 'bool', bit: 0 },
  { field: 'low_pressure_alarm', area: 'input', address: 30, type: 'bool', bit: 1 },
  { field: 'circulation_pump_running', area: 'coil', address: 0, type: 'bool' },
  { field: 'controller_model', area: 'holding', address: 40, type: 'string', length: 6 },
];
const vfdMap = [
  {
    field: 'frequency_hz',
    area: 'holding',
    address: 0,
    type: 'uint16',
    scale: 0.01,
    range: [0, 60],
  },
  {
    field: 'frequency_setpoint_hz',
    area: 'holding',
    address: 1,
    type: 'uint16',
    scale: 0.01,
    writable: true,
    min: 0,
    max: 50,
  },
  { field: 'current_a', area: 'holding', address: 2, type: 'uint16', scale: 0.1, range: [0, 500] },
  { field: 'power_kw', area: 'input', address: 4, type: 'float32', order: 'DCBA', range: [0, 500] },
  { field: 'fault_code', area: 'holding', address: 6, type: 'uint16', sentinels: false },
  { field: 'run_hours', area: 'input', address: 8, type: 'uint32', order: 'CDAB' },
  { field: 'running', area: 'coil', address: 0, type: 'bool' },
];

/** What the simulator publishes (DESIGN §4.1), ingested 1:1 with the payload's simulated time. */
const subscription = (topic: string, measurement: string, fields: string[]) => ({
  topic,
  measurement,
  format: 'json',
  fields: Object.fromEntries(fields.map((f) => [f, f])),
  time: 'ts',
});
const mqttSubscriptions = [
  subscription('heatnet/room/{substation}/{building}/{household}', 'room', ['temp_c']),
  subscription('heatnet/building/{substation}/{building}', 'building', [
    'supply_temp_c',
    'return_temp_c',
    'flow_m3h',
    'heat_power_kw',
  ]),
  subscription('heatnet/weather/{station}', 'weather', ['outdoor_temp_c']),
];

const config = {
  site: {
    name: 'heatnet demo network (Yinchuan East plant)',
    timezone: 'Asia/Shanghai',
    heatingSeason: { start: '11-01', end: '03-31' },
  },
  standards: { indoor: { minC: 18, targetC: 20, maxC: 24 }, complianceTarget: 0.97 },
  network: {
    design: {
      outdoorC: -13,
      indoorC: 20,
      primary: { supplyC: 110, returnC: 60 },
      secondary: { supplyC: 60, returnC: 45 },
      heatLoadWPerM2: 45,
    },
    sources: [{ id: 'P1', name: 'East plant', differentialPressureMpa: 0.08 }],
    substations,
  },
  ingest: {
    modbus: {
      defaults: { intervalMs: 5000, timeoutMs: 1000 },
      maps: { 'substation-plc-v1': plcMap, 'vfd-generic': vfdMap },
      devices,
    },
    mqtt: { url: 'embedded', embeddedPort: 1883, subscriptions: mqttSubscriptions },
  },
  storage: { dataDir: 'data' },
  // Evaluated every 5 minutes over a 60-minute window; auto-balancing is off until a
  // dispatcher turns it on (POST changes go through the same guardrails either way).
  balance: {
    schedule: { intervalS: 300 },
    windowMin: 60,
    auto: { enabled: false, schedule: { intervalS: 1800 } },
  },
  control: { minIntervalS: 600, settlingMin: 60 },
  api: {
    port: 8080,
    anonymousRead: true,
    tokens: [
      { name: 'demo-dispatcher', token: 'env:HEATNET_DISPATCH_TOKEN', role: 'dispatcher' },
      { name: 'demo-service', token: 'env:HEATNET_SERVICE_TOKEN', role: 'service' },
      { name: 'demo-admin', token: 'env:HEATNET_ADMIN_TOKEN', role: 'admin' },
    ],
  },
  simulation: {
    seed: 1,
    speed: 1,
    groundTruth: { port: 8090 },
    // Residents phone the demo's own heatnet as its hotline operator: they post with the
    // service token above (HEATNET_SERVICE_TOKEN, which `heatnet demo` fills in when unset).
    // `file:data/complaints.jsonl` writes them to a file instead.
    complaints: { target: 'http://127.0.0.1:8080/api/complaints' },
  },
};

const header = `# heatnet demo network — generated by scripts/generate-demo-config.ts (seeded).
# 22 substations on two branches of one plant, each with a PLC and a VFD pump
# served by the simulator as Modbus TCP units 1 and 2 on one port per substation.
# Tokens come from the environment; \`heatnet demo\` sets demo values if unset.
`;
process.stdout.write(header + compactYaml(config));
