import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { ModuleDeps } from '../../app.ts';

/** Liveness, readiness and metrics for the operator; outside /api/v1 and outside the API docs. */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: Pick<ModuleDeps, 'database' | 'metrics'>,
): void {
  let closing = false;
  app.addHook('onClose', async () => {
    closing = true;
  });
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    if (closing) return reply.status(503).send({ status: 'closing' });
    try {
      const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM schema_migrations`.execute(
        deps.database.db,
      );
      return { status: 'ready', database: deps.database.kind, migrations: r.rows[0]?.n ?? 0 };
    } catch {
      return reply.status(503).send({ status: 'database unavailable' });
    }
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/plain; version=0.0.4').send(await deps.metrics.render()),
  );
}
