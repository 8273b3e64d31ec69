import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger };

export interface LoggerSettings {
  level?: string;
  /** Human-readable output (pino-pretty) instead of JSON lines. */
  pretty?: boolean;
}

/**
 * The root logger. Components take a child per namespace (`ingest.modbus`,
 * `storage`, `api` …) so every line says who wrote it.
 */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env.HEATNET_LOG_LEVEL ?? 'info',
    base: undefined,
    redact: { paths: ['token', 'password', '*.token', '*.password', 'headers.authorization'] },
  };
  if (settings.pretty) {
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', messageKey: 'msg' },
      },
    });
  }
  return pino(options);
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

export function childLogger(parent: Logger, ns: string): Logger {
  return parent.child({ ns });
}
