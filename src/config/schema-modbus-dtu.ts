import Type, { type Static } from 'typebox';
import { Id, OneOf } from './schema-helpers.ts';

/**
 * 4G DTUs that dial in (issue 16): heatnet listens, a DTU connects, names itself with a
 * registration packet and keeps the link alive with heartbeats; the devices configured
 * `via` it are polled through its socket with RTU framing.
 */

export const PACKET_FORMATS = ['ascii', 'hex', 'imei'] as const;

/** Bytes a DTU sends to name itself or to say it is alive, as its manual writes them. */
export const DtuPacketSchema = Type.Object(
  {
    format: OneOf(
      PACKET_FORMATS,
      'ascii: the text as bytes; hex: bytes written in hex ("FE 01"); imei: 15 digits sent as ASCII',
      'ascii',
    ),
    value: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const DtuSchema = Type.Object(
  {
    id: Id('DTU id; devices name it in `via`'),
    registration: DtuPacketSchema,
    heartbeat: Type.Optional(DtuPacketSchema),
    baud: Type.Integer({
      minimum: 300,
      maximum: 921600,
      default: 9600,
      description: 'Baud rate of the RS-485 line behind the DTU (inter-frame silence, bus budget)',
    }),
    heartbeatTimeoutS: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'Health flags the DTU when no heartbeat came for this long',
      }),
    ),
  },
  { additionalProperties: false },
);

export const DtuListenerSchema = Type.Object(
  {
    id: Id('Listener id'),
    host: Type.String({ minLength: 1, default: '0.0.0.0', description: 'Address to listen on' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, description: 'Port the DTUs dial' }),
    registrationTimeoutMs: Type.Integer({
      minimum: 100,
      default: 10000,
      description: 'A connection that has not named itself by then is closed',
    }),
    unknownGraceMs: Type.Integer({
      minimum: 0,
      default: 5000,
      description:
        'A connection with an unknown registration is held this long, then closed (a DTU redialling at once would flood the log)',
    }),
    dtus: Type.Array(DtuSchema, { default: [] }),
  },
  { additionalProperties: false },
);

export type DtuPacket = Static<typeof DtuPacketSchema>;
export type DtuConfig = Static<typeof DtuSchema>;
export type DtuListenerConfig = Static<typeof DtuListenerSchema>;
