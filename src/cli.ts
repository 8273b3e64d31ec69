import { parseArgs } from 'node:util';
import type { Simulator } from '../simulators/simulator.ts';
import { HeatnetApp } from './app.ts';
import { modbusWarnings } from './config/crosscheck-modbus.ts';
import { type ConfigIssue, formatIssue } from './config/issues.ts';
import { loadConfigFile } from './config/load.ts';
import type { Config } from './config/schema.ts';
import { errorMessage } from './core/errors.ts';
import { type Component, Lifecycle } from './core/lifecycle.ts';
import { childLogger, createLogger, type Logger } from './core/logger.ts';
import { Topology } from './domain/topology.ts';
import { replaySpool } from './storage/replay.ts';

/** Exit codes (DESIGN §4.5): 0 ok, 1 runtime failure, 2 invalid config or usage. */
const EXIT_RUNTIME = 1;
const EXIT_USAGE = 2;
const DEFAULT_CONFIG = 'config/demo.yaml';
const STOP_DEADLINE_MS = 10_000;

const USAGE = `heatnet — district-heating telemetry, balancing and complaint diagnosis

usage:
  heatnet demo [--config FILE] [--speed N] [--scenario FILE]
                                               simulators + service on the demo network
  heatnet start [--config FILE]                the service
  heatnet simulate [--config FILE] [--speed N] [--seed N] [--scenario FILE]
                                               the simulated network (Modbus, MQTT, faults)
  heatnet check-config [FILE]                  list every error in a config, exit 2 if any;
                                               unset env: secrets are warnings
  heatnet replay-spool [--config FILE] [--from DIR]
                                               load stored line protocol into InfluxDB;
                                               refused lines are kept in rejected/
default config: ${DEFAULT_CONFIG}`;

class UsageError extends Error {}

/**
 * Demo tokens, used only when the environment does not set them; the MQTT password is what
 * the simulator's sensors present to the embedded broker (see `demoSensorCredential`).
 */
const DEMO_TOKENS: Record<string, string> = {
  HEATNET_DISPATCH_TOKEN: 'demo-dispatcher-token-change-me',
  HEATNET_SERVICE_TOKEN: 'demo-service-token-change-me',
  HEATNET_ADMIN_TOKEN: 'demo-admin-token-change-me',
  HEATNET_MQTT_PASSWORD: 'demo-mqtt-password-change-me',
};

/**
 * The embedded broker admits only heatnet itself unless `ingest.mqtt.embedded` names a
 * publishers' credential. `heatnet demo` and `heatnet simulate` give their simulated sensors
 * one when the config names none, from HEATNET_MQTT_PASSWORD (defaulted like the tokens), so
 * the demo config carries no extra secret and `heatnet start` never admits a default one.
 */
function demoSensorCredential(config: Config, env: NodeJS.ProcessEnv): void {
  const mqtt = config.ingest.mqtt;
  const password = env.HEATNET_MQTT_PASSWORD;
  if (mqtt.url !== 'embedded' || mqtt.embedded.username !== undefined || !password) return;
  mqtt.embedded = { username: 'demo-sensors', password };
}

/**
 * The config, or exit 2 listing every error. `onlySecretsUnder` names the one section
 * whose `env:` secrets the command needs (replay-spool needs storage's, not the API
 * tokens); by default every secret must be set.
 */
function readConfig(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  onlySecretsUnder?: string,
): Config {
  const result = loadConfigFile(path, env, { unsetSecrets: onlySecretsUnder ? 'warn' : 'error' });
  const needed = result.unsetSecrets.filter((i) => i.path.startsWith(`${onlySecretsUnder}.`));
  const issues = result.ok ? [] : result.issues;
  if (onlySecretsUnder) issues.push(...needed);
  if (result.ok && issues.length === 0) return result.config;
  process.stderr.write(`${path}: ${issues.length} error(s)\n`);
  for (const issue of issues) process.stderr.write(`  ${formatIssue(issue)}\n`);
  process.exit(EXIT_USAGE);
}

function checkConfig(path: string): number {
  // The file is judged here, not this shell: secrets are named apart, and only
  // `heatnet start` (which needs them) refuses to run without them.
  const result = loadConfigFile(path, process.env, { unsetSecrets: 'warn' });
  if (!result.ok) {
    process.stdout.write(`${path}: ${result.issues.length} error(s)\n`);
    for (const issue of result.issues) process.stdout.write(`  ${formatIssue(issue)}\n`);
  } else {
    const t = new Topology(result.config.network);
    process.stdout.write(
      `${path}: ok — ${t.substations.length} substations on ${t.branches().length} branches, ` +
        `${t.householdCount} households, ${result.config.ingest.modbus.devices.length} Modbus devices\n`,
    );
    for (const w of modbusWarnings(result.config)) {
      process.stdout.write(`warning: ${formatIssue({ ...w, file: path })}\n`);
    }
  }
  reportUnsetSecrets(result.unsetSecrets);
  return result.ok ? 0 : EXIT_USAGE;
}

function reportUnsetSecrets(unset: readonly ConfigIssue[]): void {
  if (unset.length === 0) return;
  process.stdout.write(
    `warning: ${unset.length} secret(s) not set in this environment ` +
      '(`heatnet start` needs them; `heatnet demo` fills in demo values):\n',
  );
  for (const issue of unset) process.stdout.write(`  ${formatIssue(issue)}\n`);
}

/**
 * Runs components until SIGINT/SIGTERM, then stops them within the deadline. The signal
 * is listened for from the start, so one arriving while components start still stops
 * them cleanly once they are up.
 */
async function runUntilSignal(components: Component[], log: Logger): Promise<number> {
  const signal = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const lifecycle = new Lifecycle(components, log);
  try {
    await lifecycle.start();
  } catch {
    return EXIT_RUNTIME; // logged by the lifecycle, which also stopped what had started
  }
  log.info({ signal: await signal }, 'stopping');
  const deadline = setTimeout(() => {
    log.error('components did not stop within 10 s; exiting');
    process.exit(EXIT_RUNTIME);
  }, STOP_DEADLINE_MS);
  deadline.unref();
  await lifecycle.stop();
  clearTimeout(deadline);
  log.info('stopped');
  return 0;
}

/** The service as a component whose start also binds the API. */
function serviceComponent(app: HeatnetApp, log: Logger): Component {
  return {
    name: 'service',
    async start() {
      await app.start();
      const address = await app.listen();
      log.info(
        { console: `${address}/`, api: `${address}/api/substations`, docs: `${address}/docs` },
        'heatnet is running: open the console in a browser',
      );
    },
    stop: () => app.stop(),
  };
}

/** Speed ≤ 3600 as the schema allows; a larger factor would outrun the model's steps. */
const MAX_SPEED = 3600;

/** Applies --speed, --seed and --scenario to the config, or exits 2 listing the scenario's errors. */
async function simulationOptions(
  config: Config,
  values: { speed?: string; seed?: string; scenario?: string },
): Promise<void> {
  const sim = config.simulation;
  if (values.speed) sim.speed = positiveNumber('--speed', values.speed, MAX_SPEED);
  if (values.seed) sim.seed = Math.trunc(positiveNumber('--seed', values.seed));
  if (!values.scenario) return;
  const { applyScenario, loadScenario } = await import('../simulators/scenario.ts');
  const result = loadScenario(values.scenario, config);
  if (!result.ok) {
    process.stderr.write(`${values.scenario}: ${result.issues.length} error(s)\n`);
    for (const issue of result.issues) process.stderr.write(`  ${formatIssue(issue)}\n`);
    process.exit(EXIT_USAGE);
  }
  // Before the Simulator is built: its model reads the faults once, at construction.
  applyScenario(config, result.scenario);
}

async function createSimulator(config: Config, log: Logger): Promise<Simulator> {
  // Loaded lazily: the service itself never needs the simulator's code.
  const { Simulator } = await import('../simulators/simulator.ts');
  return new Simulator(config, childLogger(log, 'simulator'));
}

async function demo(
  configPath: string,
  values: { speed?: string; scenario?: string },
  log: Logger,
): Promise<number> {
  const env = { ...DEMO_TOKENS, ...process.env };
  Object.assign(process.env, env);
  const config = readConfig(configPath, env);
  demoSensorCredential(config, env);
  await simulationOptions(config, values);
  const simulator = await createSimulator(config, log);
  // The service reads the simulator's clock: with --speed 60 an hour of simulated heating
  // would otherwise be stamped as one minute of readings, and trends, SLAs and complaints'
  // reportedAt would not line up with the data. At speed 1 with no simulation.start this
  // clock is the wall clock, so sharing it always is harmless.
  const app = new HeatnetApp(config, {
    log,
    now: () => simulator.clock.now(),
    clockRate: simulator.clock.speed,
  });
  return runUntilSignal([simulator, serviceComponent(app, log)], log);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      speed: { type: 'string' },
      seed: { type: 'string' },
      scenario: { type: 'string' },
      from: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!command || values.help || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : EXIT_USAGE;
  }
  const configPath = values.config ?? DEFAULT_CONFIG;
  const log = createLogger({ pretty: process.stdout.isTTY === true });
  switch (command) {
    case 'check-config':
      return checkConfig(positionals[0] ?? configPath);
    case 'start': {
      const config = readConfig(configPath);
      return runUntilSignal([serviceComponent(new HeatnetApp(config, { log }), log)], log);
    }
    case 'simulate': {
      // The simulator never serves the API, so the demo's token variables need not be set
      // for `npm run simulate` (they fill only what the environment leaves unset).
      const env = { ...DEMO_TOKENS, ...process.env };
      const config = readConfig(configPath, env);
      demoSensorCredential(config, env);
      await simulationOptions(config, values);
      return runUntilSignal([await createSimulator(config, log)], log);
    }
    case 'demo':
      return demo(configPath, { speed: values.speed, scenario: values.scenario }, log);
    case 'replay-spool': {
      const config = readConfig(configPath, process.env, 'storage');
      return replaySpool(config, { from: values.from, log, out: process.stdout });
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function positiveNumber(flag: string, text: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > max) {
    throw new UsageError(
      `${flag} must be a positive number${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''}`,
    );
  }
  return n;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (
      err instanceof UsageError ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`${errorMessage(err)}\n\n${USAGE}\n`);
      process.exit(EXIT_USAGE);
    }
    process.stderr.write(`heatnet: ${errorMessage(err)}\n`);
    process.exit(EXIT_RUNTIME);
  },
);
