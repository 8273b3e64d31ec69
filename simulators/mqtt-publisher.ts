import mqtt, { type IClientPublishOptions, type MqttClient } from 'mqtt';
import type { Config, MqttConfig } from '../src/config/schema.ts';
import type { Component } from '../src/core/lifecycle.ts';
import type { Logger } from '../src/core/logger.ts';
import type { NetworkModel } from './model/network-model.ts';
import { type SlotVisitor, Spread, sensorNoise } from './mqtt-schedule.ts';
import {
  buildingMeters,
  type Meter,
  NOBODY_SILENT,
  type RoomSensor,
  roomSensors,
  silentRooms,
} from './mqtt-sensors.ts';
import type { SimClock } from './sim-clock.ts';

/**
 * The simulator's MQTT side (DESIGN §4.1, §4.6; issue 3 items 4, 5 and 9): room
 * sensors, building heat meters and the weather station publish on their topics at
 * simulated intervals with simulated timestamps, as field devices behind a broker do.
 */

export type PublishKind = 'room' | 'building' | 'weather';

/** What the publisher needs of the simulator (the `Simulator` itself satisfies it). */
export interface PublisherHost {
  readonly config: Config;
  readonly log: Logger;
  readonly model: NetworkModel;
  readonly clock: SimClock;
  /** Brings the model to the simulated now and returns it. */
  advance(): number;
}

export interface PublisherCounters {
  /** Messages handed to the connected client, per kind. */
  published: Record<PublishKind, number>;
  /** Readings not sent because the broker was unreachable or could not keep up. */
  dropped: Record<PublishKind, number>;
  /** Room readings withheld by an active `rooms-silent` fault. */
  silenced: number;
  /** Readings skipped because publishing fell more than a whole interval behind. */
  skipped: number;
  /**
   * How late (simulated ms) a tick sent a reading at most, beyond when it was due and when
   * the tick was planned: its values are the model's at that tick, its time stamp is when
   * it was due. A stalled event loop makes this large at high speeds (0.4 real s at 3600×
   * is 24 simulated minutes); a planned wait (the first connection's) does not count.
   */
  maxLateMs: number;
  connected: boolean;
  /** Successful connections, the first one included. */
  connects: number;
}

/** Timer ticks (real ms): each publishes every reading due by then, as one batch. */
const MIN_TICK_MS = 50;
const MAX_TICK_MS = 1000;
/** At most this many readings of one kind per tick, so a stalled loop catches up gradually. */
const MAX_PER_TICK = 20_000;
/** Above this many bytes queued on the socket, readings are dropped instead of buffered. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const ROOM_NOISE_K = 0.1;
const END_TIMEOUT_MS = 2000;
/**
 * The first tick waits this long for the first connection (`heatnet demo` starts the
 * simulator before the service's embedded broker), so the opening readings are sent, not
 * dropped; they keep their scheduled times.
 */
const FIRST_CONNECT_WAIT_MS = 2000;
/**
 * Rooms use QoS 0: a sensor reports again within one interval, so a lost reading
 * costs a sample, whereas QoS 1 would cost a message id, a store entry and a PUBACK
 * per message — the dominant cost at 250,000 sensors. Meters and weather are few and
 * feed energy accounting and the heating curve, so they get QoS 1.
 */
const ROOM_OPTS: IClientPublishOptions = { qos: 0 };
const METER_OPTS: IClientPublishOptions = { qos: 1 };

interface Stream {
  spread: Spread;
  visit: SlotVisitor;
}

const publishers = new WeakMap<PublisherHost, MqttPublisher>();

export class MqttPublisher implements Component {
  readonly name = 'simulator.mqtt';
  private readonly log: Logger;
  private client: MqttClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private streams: Stream[] = [];
  private rooms: RoomSensor[] = [];
  private meters: Meter[] = [];
  private silent = NOBODY_SILENT;
  private readonly counts = {
    published: { room: 0, building: 0, weather: 0 },
    dropped: { room: 0, building: 0, weather: 0 },
    silenced: 0,
    connects: 0,
    maxLateMs: 0,
  };
  /** The simulated now of the tick in progress, and when it was planned for. */
  private tickNow = 0;
  private plannedAt = 0;
  private tickFailed = false;

  constructor(private readonly host: PublisherHost) {
    // The simulator's logger already carries ns: 'simulator'; a second ns would repeat the key.
    this.log = host.log.child({ part: 'mqtt' });
    publishers.set(host, this);
  }

  /** The publisher registered for a simulator (for tests and benchmarks). */
  static of(host: PublisherHost): MqttPublisher | undefined {
    return publishers.get(host);
  }

  get counters(): PublisherCounters {
    const c = this.counts;
    return {
      published: { ...c.published },
      dropped: { ...c.dropped },
      silenced: c.silenced,
      skipped: this.streams.reduce((sum, s) => sum + s.spread.skipped, 0),
      maxLateMs: c.maxLateMs,
      connected: this.client?.connected === true,
      connects: c.connects,
    };
  }

  /** Households that have a room sensor (a seeded share of all). */
  roomSensors(): string[] {
    return this.rooms.map((r) => r.household);
  }

  async start(): Promise<void> {
    const url = brokerUrl(this.host.config.ingest.mqtt);
    if (!url) {
      // Port 0 means "any free port": only the service that binds the broker knows it.
      this.log.info('embedded broker on port 0: nothing to publish to, MQTT publishing off');
      return;
    }
    this.buildStreams(this.host.clock.now());
    this.client = this.connect(url);
    this.schedule(FIRST_CONNECT_WAIT_MS);
    this.log.info(
      { url, rooms: this.rooms.length, buildings: this.meters.length },
      'publishing room sensors, building meters and weather',
    );
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) await endWithin(client, END_TIMEOUT_MS);
  }

  /** Connects in the background: the broker may start after us (`heatnet demo`) or go away. */
  private connect(url: string): MqttClient {
    const cfg = this.host.config.ingest.mqtt;
    const client = mqtt.connect(url, {
      clientId: `${cfg.clientId}-sim-${Math.random().toString(16).slice(2, 10)}`,
      ...brokerCredentials(cfg),
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      // Offline readings are dropped and counted, never queued without bound.
      queueQoSZero: false,
    });
    let up = false;
    client.on('connect', () => {
      up = true;
      if (this.counts.connects++ === 0 && this.timer) {
        clearTimeout(this.timer);
        this.schedule(0);
      }
      this.log.info({ url }, 'MQTT publisher connected');
    });
    client.on('close', () => {
      // Once per outage (reconnect attempts close too), and not for our own stop().
      if (up && this.client === client)
        this.log.warn({ url }, 'MQTT broker connection lost; dropping readings until it is back');
      up = false;
    });
    // Without a listener an 'error' event would crash the process; reconnecting is MQTT.js's job.
    client.on('error', (err) => this.log.debug({ err: err.message }, 'MQTT publisher error'));
    return client;
  }

  private buildStreams(originMs: number): void {
    const { config, model } = this.host;
    const publish = config.simulation.publish;
    this.rooms = roomSensors(model, publish.roomSensorShare, config.simulation.seed);
    this.meters = buildingMeters(model);
    const seed = config.simulation.seed;
    const station = config.simulation.weather.station;
    const weatherTopic = `heatnet/weather/${station}`;
    const stream = (count: number, intervalS: number, visit: Stream['visit']): Stream => ({
      spread: new Spread(count, intervalS * 1000, originMs),
      visit: (item, cycle, dueMs) => {
        const late = this.tickNow - Math.max(dueMs, this.plannedAt);
        if (late > this.counts.maxLateMs) this.counts.maxLateMs = late;
        visit(item, cycle, dueMs);
      },
    });
    this.streams = [
      stream(1, publish.weatherIntervalS, (_i, _c, dueMs) =>
        this.publishWeather(weatherTopic, dueMs),
      ),
      stream(this.meters.length, publish.buildingIntervalS, (i, _c, dueMs) =>
        this.publishMeter(i, dueMs),
      ),
      stream(this.rooms.length, publish.roomIntervalS, (i, cycle, dueMs) =>
        this.publishRoom(i, cycle, dueMs, seed),
      ),
    ];
  }

  private schedule(delayMs: number): void {
    this.plannedAt = this.host.clock.now() + delayMs * this.host.clock.speed;
    this.timer = setTimeout(this.tick, delayMs);
    this.timer.unref();
  }

  private readonly tick = (): void => {
    if (!this.client) return;
    try {
      const now = this.host.advance();
      this.tickNow = now;
      this.silent = silentRooms(this.host.model.faults, now);
      for (const s of this.streams) s.spread.drain(now, MAX_PER_TICK, s.visit);
    } catch (err) {
      // A bug here must not take the simulator (and its Modbus devices) down with it.
      if (!this.tickFailed) this.log.error({ err }, 'MQTT publishing tick failed');
      this.tickFailed = true;
    }
    this.schedule(this.nextDelayMs());
  };

  /** Real ms until the next reading is due, within [MIN_TICK_MS, MAX_TICK_MS]. */
  private nextDelayMs(): number {
    let delay = MAX_TICK_MS;
    for (const s of this.streams) {
      if (s.spread.count > 0)
        delay = Math.min(delay, this.host.clock.realDelayUntil(s.spread.dueMs()));
    }
    return Math.max(MIN_TICK_MS, delay);
  }

  /** The connected client if it can take one more reading, else counts the drop. */
  private writable(kind: PublishKind): MqttClient | undefined {
    const client = this.client;
    if (client?.connected && client.stream.writableLength <= MAX_BUFFERED_BYTES) return client;
    this.counts.dropped[kind]++;
    return undefined;
  }

  private publishRoom(item: number, cycle: number, dueMs: number, seed: number): void {
    const sensor = this.rooms[item]!;
    const silent = this.silent;
    if (
      silent.all ||
      silent.buildings.has(sensor.building) ||
      silent.households.has(sensor.household)
    ) {
      this.counts.silenced++;
      return;
    }
    const client = this.writable('room');
    if (!client) return;
    const indoor = sensor.state.indoorC;
    const truth = this.host.model.households.temperatureC(sensor.household, indoor) ?? indoor;
    const tempC = round(truth + ROOM_NOISE_K * sensorNoise(seed, item, cycle), 10);
    client.publish(sensor.topic, `{"temp_c":${tempC},"ts":${epochS(dueMs)}}`, ROOM_OPTS);
    this.counts.published.room++;
  }

  private publishMeter(item: number, dueMs: number): void {
    const meter = this.meters[item]!;
    const client = this.writable('building');
    if (!client) return;
    const b = meter.state;
    const payload =
      `{"supply_temp_c":${round(b.supplyC, 100)},"return_temp_c":${round(b.returnC, 100)},` +
      `"flow_m3h":${round(b.flowM3h, 1000)},"heat_power_kw":${round(b.heatKw, 10)},` +
      `"ts":${epochS(dueMs)}}`;
    client.publish(meter.topic, payload, METER_OPTS);
    this.counts.published.building++;
  }

  private publishWeather(topic: string, dueMs: number): void {
    const client = this.writable('weather');
    if (!client) return;
    // The weather is a pure function of time, so it is read at the reading's own time.
    const outdoorC = round(this.host.model.outdoorC(dueMs), 10);
    client.publish(topic, `{"outdoor_temp_c":${outdoorC},"ts":${epochS(dueMs)}}`, METER_OPTS);
    this.counts.published.weather++;
  }
}

/** `mqtt://…` as configured, the embedded broker where it binds, or undefined if unknowable. */
export function brokerUrl(cfg: MqttConfig): string | undefined {
  if (cfg.url !== 'embedded') return cfg.url;
  if (cfg.embeddedPort === 0) return undefined;
  const wildcard = ['0.0.0.0', '::'].includes(cfg.embeddedHost);
  const host = wildcard ? '127.0.0.1' : cfg.embeddedHost;
  return `mqtt://${host.includes(':') ? `[${host}]` : host}:${cfg.embeddedPort}`;
}

/**
 * The simulator is a publisher like any device: on the embedded broker it presents the
 * publishers' credential (`ingest.mqtt.embedded`), elsewhere heatnet's client credential.
 */
export function brokerCredentials(cfg: MqttConfig): { username?: string; password?: string } {
  const { username, password } = cfg.url === 'embedded' ? cfg.embedded : cfg;
  return { username, password };
}

const round = (value: number, per: number) => Math.round(value * per) / per;
const epochS = (ms: number) => Math.floor(ms / 1000);

/** end() waits for QoS 1 acknowledgements; a broker that never sends them must not hang stop. */
async function endWithin(client: MqttClient, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), timeoutMs);
  });
  const ended = client
    .endAsync(!client.connected)
    .then(() => false)
    .catch(() => false);
  if (await Promise.race([ended, timedOut])) client.stream.destroy();
  clearTimeout(timer);
}
