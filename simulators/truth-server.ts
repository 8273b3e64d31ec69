import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Component } from '../src/core/lifecycle.ts';
import { LEVELS } from '../src/diagnosis/schemas.ts';
import type { ActiveFault, FaultSpec } from './faults.ts';
import { householdCauses } from './model/causes.ts';
import { groundTruth, householdTruth } from './model/truth.ts';
import { FaultChecker } from './scenario.ts';
import type { Simulator } from './simulator.ts';

/**
 * Ground truth over HTTP (DESIGN §4.6) — FOR TESTS AND DEMOS ONLY. It tells what
 * heatnet has to find out by itself (which substations are really under-supplied,
 * which faults are injected), and lets anyone inject faults without a token, so it
 * is off unless `simulation.groundTruth.port` is set and must never face a network.
 *
 *   GET    /truth                      network and per-substation truth
 *   GET    /truth/households[?substation=S01][&level=zone]   true temperature and cause of each
 *   GET    /truth/residents            the residents' delivery counts and calls waiting (404 if none)
 *   GET    /faults                     every fault of the run, ended ones too
 *   POST   /faults                     a fault spec (FaultSchema) → 201, or 400 with every error
 *   DELETE /faults/:id                 ends an active fault now; 404 if none
 */

export type TruthSim = Pick<Simulator, 'config' | 'model' | 'log' | 'advance'> &
  Partial<Pick<Simulator, 'residents'>>;

const NOTICE = 'simulator ground truth: for tests and demos only';
const MAX_BODY_BYTES = 64 * 1024;

interface Reply {
  status: number;
  body: unknown;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

export class TruthServer implements Component {
  readonly name = 'simulator.truth';
  private server: Server | undefined;
  private readonly checker: FaultChecker;

  constructor(private readonly sim: TruthSim) {
    this.checker = new FaultChecker(sim.config);
  }

  /** The bound port (the configured one; 0 before start). */
  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(): Promise<void> {
    const { host, port } = this.sim.config.simulation.groundTruth;
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.sim.log.warn({ truth: `http://${host}:${this.port}/truth` }, `${NOTICE}; no auth`);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      reply = await this.route(req);
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) this.sim.log.error({ err }, 'ground-truth request failed');
      const issues = err instanceof HttpError && err.issues ? { issues: err.issues } : {};
      reply = { status, body: { statusCode: status, message: (err as Error).message, ...issues } };
    }
    res.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      'x-heatnet-notice': NOTICE,
    });
    res.end(JSON.stringify(reply.body));
  }

  private async route(req: IncomingMessage): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://truth.invalid');
    const [first, second, ...more] = url.pathname.split('/').filter(Boolean);
    const method = req.method ?? 'GET';
    if (first === 'truth' && more.length === 0) {
      allow(method, ['GET']);
      if (second === undefined) return this.truth();
      if (second === 'households') return this.households(url.searchParams);
      if (second === 'residents') return this.residents();
    }
    if (first === 'faults' && more.length === 0) {
      if (second === undefined) {
        allow(method, ['GET', 'POST']);
        return method === 'GET' ? this.faults() : this.addFault(await readJson(req));
      }
      allow(method, ['DELETE']);
      return this.clearFault(decodeURIComponent(second));
    }
    throw new HttpError(404, `no route ${method} ${url.pathname}`);
  }

  private truth(): Reply {
    this.sim.advance();
    return { status: 200, body: groundTruth(this.sim.model) };
  }

  /** What the residents delivered: tests compare it with what heatnet holds. */
  private residents(): Reply {
    const residents = this.sim.residents;
    if (!residents) throw new HttpError(404, 'no residents (simulation.complaints.target unset)');
    return { status: 200, body: { counts: residents.counts, pending: residents.pending } };
  }

  private households(query: URLSearchParams): Reply {
    this.sim.advance();
    const substation = query.get('substation');
    const level = query.get('level');
    if (substation !== null && !this.sim.model.topology.substation(substation)) {
      throw new HttpError(404, `unknown substation "${substation}"`);
    }
    if (level !== null && !(LEVELS as readonly string[]).includes(level)) {
      throw new HttpError(400, `level must be one of ${LEVELS.join(', ')}`);
    }
    const causes = householdCauses(this.sim.model);
    const households = householdTruth(this.sim.model)
      .filter((h) => substation === null || h.substation === substation)
      .map((h) => {
        const { level, cause, fault } = causes.get(h.id)!;
        return { ...h, level, cause, fault };
      })
      .filter((h) => level === null || h.level === level);
    return { status: 200, body: { time: isoTime(this.sim.model.timeMs), households } };
  }

  private faults(): Reply {
    const now = this.sim.advance();
    return { status: 200, body: { faults: this.sim.model.faults.all().map((f) => view(f, now)) } };
  }

  private addFault(body: unknown): Reply {
    const issues = this.checker.check(body);
    if (issues.length > 0) {
      const list = issues.map((i) => ({ path: i.path || '(root)', message: i.message }));
      throw new HttpError(400, list.map((i) => `${i.path}: ${i.message}`).join('; '), list);
    }
    const spec = body as FaultSpec;
    const now = this.sim.advance();
    const book = this.sim.model.faults;
    if (spec.id !== undefined && book.all().some((f) => f.id === spec.id && f.untilMs > now)) {
      throw new HttpError(409, `fault "${spec.id}" is already active or scheduled`);
    }
    return { status: 201, body: view(book.add(spec, now), now) };
  }

  private clearFault(id: string): Reply {
    const now = this.sim.advance();
    const book = this.sim.model.faults;
    if (!book.clear(id, now)) throw new HttpError(404, `no active fault "${id}"`);
    const fault = book.all().find((f) => f.id === id && f.untilMs === now)!;
    return { status: 200, body: view(fault, now) };
  }
}

function allow(method: string, methods: string[]): void {
  if (!methods.includes(method)) throw new HttpError(405, `use ${methods.join(' or ')}`);
}

function view(f: ActiveFault, nowMs: number) {
  return {
    id: f.id,
    type: f.spec.type,
    active: f.fromMs <= nowMs && nowMs < f.untilMs,
    from: isoTime(f.fromMs),
    until: Number.isFinite(f.untilMs) ? isoTime(f.untilMs) : null,
    spec: f.spec,
  };
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (err) {
    throw new HttpError(400, `body is not JSON: ${(err as Error).message}`);
  }
}
