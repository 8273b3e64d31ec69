/**
 * The one schema of heatnet's YAML configuration (DESIGN §4.1): it gives the types,
 * the defaults and the validation at once. Cross-references between sections
 * (a device naming a substation, a map …) are checked in `crosscheck.ts`.
 */
import Type, { type Static } from 'typebox';
import { AlertsSchema } from './schema-alerts.ts';
import { BalanceSchema, ControlSchema } from './schema-balance.ts';
import {
  type BYTE_ORDERS,
  IngestSchema,
  type MODBUS_AREAS,
  type MODBUS_TYPES,
  type ModbusDeviceSchema,
  type ModbusSchema,
  type MqttSchema,
  type MqttSubscriptionSchema,
  type RegisterFieldSchema,
} from './schema-ingest.ts';
import {
  type BuildingSchema,
  NetworkSchema,
  type PumpSchema,
  SiteSchema,
  StandardsSchema,
  type SubstationSchema,
} from './schema-network.ts';
import {
  ApiSchema,
  type InfluxSchema,
  type ROLES,
  StorageSchema,
  StoreSchema,
} from './schema-service.ts';
import { ServiceDeskSchema } from './schema-service-desk.ts';
import { SimulationSchema } from './schema-simulation.ts';

export {
  BYTE_ORDERS,
  DEVICE_KINDS,
  MODBUS_AREAS,
  MODBUS_TYPES,
  RegisterFieldSchema,
} from './schema-ingest.ts';
export { ROLES } from './schema-service.ts';

export const ConfigSchema = Type.Object(
  {
    site: SiteSchema,
    standards: StandardsSchema,
    network: NetworkSchema,
    ingest: IngestSchema,
    storage: StorageSchema,
    store: StoreSchema,
    balance: BalanceSchema,
    control: ControlSchema,
    service: ServiceDeskSchema,
    alerts: AlertsSchema,
    api: ApiSchema,
    simulation: SimulationSchema,
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type NetworkConfig = Static<typeof NetworkSchema>;
export type SubstationConfig = Static<typeof SubstationSchema>;
export type BuildingConfig = Static<typeof BuildingSchema>;
export type PumpConfig = Static<typeof PumpSchema>;
export type RegisterField = Static<typeof RegisterFieldSchema>;
export type ModbusDeviceConfig = Static<typeof ModbusDeviceSchema>;
export type ModbusConfig = Static<typeof ModbusSchema>;
export type MqttConfig = Static<typeof MqttSchema>;
export type MqttSubscription = Static<typeof MqttSubscriptionSchema>;
export type InfluxConfig = Static<typeof InfluxSchema>;
export type StorageConfig = Static<typeof StorageSchema>;
export type StoreConfig = Static<typeof StoreSchema>;
export type ApiConfig = Static<typeof ApiSchema>;
export type BalanceConfig = Static<typeof BalanceSchema>;
export type ControlConfig = Static<typeof ControlSchema>;
export type ServiceDeskConfig = Static<typeof ServiceDeskSchema>;
export type AlertsConfig = Static<typeof AlertsSchema>;
export type Role = (typeof ROLES)[number];
export type ModbusArea = (typeof MODBUS_AREAS)[number];
export type ModbusType = (typeof MODBUS_TYPES)[number];
export type ByteOrder = (typeof BYTE_ORDERS)[number];
