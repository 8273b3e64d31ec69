/**
 * The tuned Node-RED peer of bench/mqtt-burst.ts, as a user would build it: mqtt in
 * (QoS 1) → function (topic levels to tags, JSON to a point) → join (5,000 messages or
 * 1 s) → node-red-contrib-influxdb "influxdb batch" (InfluxDB 1.x). Node-RED acknowledges
 * on receipt (MQTT.js's default); heatnet only once the point is durable.
 */
export interface NodeRedTarget {
  mqttPort: number;
  influxPort: number;
  db: string;
  clientId: string;
}

const TO_POINT = `const t = msg.topic.split('/');
const p = msg.payload;
msg.payload = {
  measurement: 'room',
  tags: { substation: t[2], building: t[3], household: t[4] },
  fields: { temp_c: Number(p.temp_c) },
  timestamp: new Date(p.ts < 1e11 ? p.ts * 1000 : p.ts),
};
return msg;`;

export function nodeRedFlow(t: NodeRedTarget): object[] {
  return [
    { id: 'a1b2c3d4e5f60001', type: 'tab', label: 'burst' },
    {
      id: 'a1b2c3d4e5f60002',
      type: 'mqtt-broker',
      broker: '127.0.0.1',
      port: String(t.mqttPort),
      clientid: t.clientId,
      autoConnect: true,
      usetls: false,
      protocolVersion: '4',
      keepalive: '60',
      // A persistent session, as heatnet has: a reconnect under load (a missed keepalive)
      // must not drop what the broker queued for it (a clean session did, in a trial run).
      cleansession: false,
    },
    {
      id: 'a1b2c3d4e5f60003',
      type: 'influxdb',
      hostname: '127.0.0.1',
      port: String(t.influxPort),
      protocol: 'http',
      database: t.db,
      influxdbVersion: '1.x',
    },
    {
      id: 'a1b2c3d4e5f60004',
      type: 'mqtt in',
      z: 'a1b2c3d4e5f60001',
      topic: 'heatnet/room/+/+/+',
      qos: '1',
      datatype: 'json',
      broker: 'a1b2c3d4e5f60002',
      nl: false,
      rap: true,
      inputs: 0,
      wires: [['a1b2c3d4e5f60005']],
    },
    {
      id: 'a1b2c3d4e5f60005',
      type: 'function',
      z: 'a1b2c3d4e5f60001',
      func: TO_POINT,
      outputs: 1,
      wires: [['a1b2c3d4e5f60006']],
    },
    {
      id: 'a1b2c3d4e5f60006',
      type: 'join',
      z: 'a1b2c3d4e5f60001',
      mode: 'custom',
      build: 'array',
      property: 'payload',
      propertyType: 'msg',
      key: 'topic',
      joiner: '\\n',
      joinerType: 'str',
      accumulate: false,
      timeout: '1',
      count: '5000',
      reduceRight: false,
      wires: [['a1b2c3d4e5f60007']],
    },
    {
      id: 'a1b2c3d4e5f60007',
      type: 'influxdb batch',
      z: 'a1b2c3d4e5f60001',
      influxdb: 'a1b2c3d4e5f60003',
      precision: 'ms',
      wires: [],
    },
  ];
}

/** settings.js for a throw-away user dir: no editor, warnings only. */
export function nodeRedSettings(uiPort: number): string {
  return `module.exports = {
  uiPort: ${uiPort},
  uiHost: '127.0.0.1',
  flowFile: 'flows.json',
  credentialSecret: false,
  disableEditor: true,
  logging: { console: { level: 'warn', metrics: false, audit: false } },
};
`;
}
