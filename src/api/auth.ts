import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiConfig, Role } from '../config/schema.ts';
import { HeatnetError } from '../core/errors.ts';

export interface Principal {
  name: string;
  role: Role;
}

/** What a route needs: `read` (any role, or anonymous when allowed) or specific roles. */
export type Access = 'read' | readonly Role[];

export interface GuardOptions {
  /**
   * Only the listed roles, admin included: admin administers the system but is no
   * dispatcher, so it may not, say, change a pump's frequency (issue 5).
   */
  exclusive?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Bearer tokens from the config, compared in constant time over their digests so
 * neither content nor length leaks through timing. `admin` may do everything, except
 * on routes guarded `exclusive`ly.
 */
export class Authenticator {
  private readonly tokens: { digest: Buffer; principal: Principal }[];

  constructor(
    private readonly config: Pick<ApiConfig, 'tokens' | 'anonymousRead'> & Partial<ApiConfig>,
  ) {
    this.tokens = config.tokens.map((t) => ({
      digest: digest(t.token),
      principal: { name: t.name, role: t.role },
    }));
  }

  identify(header: string | undefined): Principal | null | 'invalid' {
    if (!header) return null;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return 'invalid';
    const presented = digest(match[1]!);
    let found: Principal | null = null;
    for (const t of this.tokens) if (timingSafeEqual(t.digest, presented)) found = t.principal;
    return found ?? 'invalid';
  }

  /** Sets `request.principal`, or throws 401/403 as HeatnetErrors. */
  async authorize(
    request: FastifyRequest,
    reply: FastifyReply,
    access: Access,
    options: GuardOptions = {},
  ): Promise<void> {
    const who = this.identify(request.headers.authorization);
    if (who === 'invalid') {
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      throw new HeatnetError('UNAUTHORIZED', 'invalid bearer token');
    }
    request.principal = who;
    if (access === 'read') {
      if (who || this.config.anonymousRead) return;
      reply.header('www-authenticate', 'Bearer');
      throw new HeatnetError('UNAUTHORIZED', 'a bearer token is required');
    }
    if (!who) {
      reply.header('www-authenticate', 'Bearer');
      throw new HeatnetError('UNAUTHORIZED', 'a bearer token is required');
    }
    const adminPasses = who.role === 'admin' && !options.exclusive;
    if (!adminPasses && !access.includes(who.role)) {
      throw new HeatnetError(
        'FORBIDDEN',
        `role "${who.role}" may not do this (needs ${access.join(' or ')})`,
      );
    }
  }
}
