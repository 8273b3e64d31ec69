import type { FastifyPluginAsync } from 'fastify';
import { type AuditRoutesOptions, auditRoutes } from './control-audit.ts';
import { type AutoRoutesOptions, autoRoutes } from './control-auto.ts';
import { type FrequencyRoutesOptions, frequencyRoutes } from './control-frequency.ts';

/** What the control routes need; the composition root supplies it. */
export type ControlRouteDeps = FrequencyRoutesOptions & AuditRoutesOptions & AutoRoutesOptions;

/** The guarded control path's routes (issue 5): pump changes, their audit, auto-balancing. */
export const controlRoutes: FastifyPluginAsync<ControlRouteDeps> = async (app, deps) => {
  await app.register(frequencyRoutes, { control: deps.control });
  await app.register(auditRoutes, { audit: deps.audit });
  await app.register(autoRoutes, { auto: deps.auto, control: deps.control });
};
