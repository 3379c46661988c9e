import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { uuidv7 } from '../shared/ids.ts';
import type { Config } from './config.ts';
import { registerAdminAreaRoutes } from './modules/admin-areas/routes.ts';
import { registerTokenRoutes } from './modules/api-tokens/routes.ts';
import { registerAuditRoutes } from './modules/audit/routes.ts';
import { registerAuthRoutes } from './modules/auth/routes.ts';
import { registerCadastreRoutes } from './modules/cadastre/routes.ts';
import { registerClientConfigRoutes } from './modules/client-config/routes.ts';
import { registerCustodyActorStatusRoutes } from './modules/custody/actor-status.routes.ts';
import { registerCustodyBatchRoutes } from './modules/custody/batch.routes.ts';
import { registerDueDiligenceRoutes } from './modules/custody/due-diligence.routes.ts';
import { registerCustodyLabelRoutes } from './modules/custody/label.routes.ts';
import { registerCustodyOversightRoutes } from './modules/custody/oversight.routes.ts';
import { registerCustodyRoutes } from './modules/custody/routes.ts';
import { registerEnterpriseRoutes } from './modules/enterprises/routes.ts';
import { registerImprovementRoutes } from './modules/improvement/routes.ts';
import { registerLicenceCardRoutes } from './modules/licence-cards/routes.ts';
import { registerLicenceCardSheetRoutes } from './modules/licence-cards/sheet.routes.ts';
import { registerLicenceFeeRoutes } from './modules/licence-fees/routes.ts';
import { registerLicenceRightsRoutes } from './modules/licence-rights/routes.ts';
import { registerLicensingRoutes } from './modules/licensing/routes.ts';
import { registerLogbookRoutes } from './modules/logbooks/routes.ts';
import { registerPeopleRoutes } from './modules/people/routes.ts';
import { registerProfileRoutes } from './modules/profiles/routes.ts';
import { registerPublicRegisterRoutes } from './modules/public-register/routes.ts';
import { registerRoleRoutes } from './modules/roles/routes.ts';
import { registerTaskRoutes } from './modules/tasks/routes.ts';
import { registerUserRoutes } from './modules/users/routes.ts';
import { AccessDenied, auditEntityType } from './platform/access/access.ts';
import { type AuditLog, createAuditLog } from './platform/audit/audit.ts';
import {
  type Authenticate,
  CredentialCache,
  createAuthenticator,
  SESSION_COOKIE,
} from './platform/auth/authenticate.ts';
import { type Clock, systemClock } from './platform/clock.ts';
import type { RequestContext } from './platform/context.ts';
import type { Database } from './platform/db/database.ts';
import { AppError, problems } from './platform/errors.ts';
import { registerCompression } from './platform/http/compression.ts';
import { registerHealthRoutes } from './platform/http/health.ts';
import { Metrics } from './platform/http/metrics.ts';
import { sendProblem, toAppError } from './platform/http/problem.ts';
import { registerWebClient, wantsAppShell } from './platform/http/web-client.ts';
import { createWriteRunner, type RunWrite } from './platform/http/write.ts';
import type { Jobs } from './platform/jobs/jobs.ts';
import { createLogNotifier, type Notifier } from './platform/notify/notifier.ts';

declare module 'fastify' {
  interface FastifyRequest {
    ctx: RequestContext;
    authProblem: AppError | null;
  }
  interface FastifyInstance {
    /**
     * Every route the app serves, for the tests that must cover them all (access matrix) and see
     * which answers are never compressed because they carry a secret (compression.ts).
     */
    routeTable: { method: string; url: string; compressed: boolean }[];
  }
}

export interface AppDeps {
  config: Config;
  database: Database;
  clock?: Clock;
  jobs?: Jobs | null;
  /** How messages reach people (SMS…); the log adapter when absent. */
  notifier?: Notifier;
  /** Serve the built web client from dist/web when it exists (default true). */
  serveWeb?: boolean;
}

/** What every module's routes receive: narrow, explicit, built once here. */
export interface ModuleDeps {
  config: Config;
  database: Database;
  clock: Clock;
  audit: AuditLog;
  runWrite: RunWrite;
  metrics: Metrics;
  jobs: Jobs | null;
  notifier: Notifier;
  authenticate: Authenticate;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database } = deps;
  const clock = deps.clock ?? systemClock;
  const audit = createAuditLog({ clock });
  const metrics = new Metrics();
  const credentials = new CredentialCache();
  const authenticate = createAuthenticator({ database, clock, policy: config.session, cache: credentials });
  // Other processes (a second server, the CLI) announce changes to accounts, roles, sessions and
  // tokens with a notification; this process clears its cache itself after each write it commits.
  const unlisten = await database.listen('openasm_auth', () => credentials.clear());

  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
            serializers: {
              // The path only: query strings can carry names and phone numbers.
              req: (req) => ({ method: req.method, url: req.url.split('?')[0], requestId: req.id }),
            },
          },
    bodyLimit: config.bodyLimitBytes,
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (config.trustProxy as number)
        : config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : uuidv7();
    },
    ajv: { customOptions: { removeAdditional: false } },
    return503OnClosing: true,
  });
  const routeTable: FastifyInstance['routeTable'] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD')
        routeTable.push({ method, url: route.url, compressed: route.compress !== false });
    }
  });
  app.addHook('onClose', async () => unlisten());
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // JSON only: a text/plain body is refused with 415 rather than parsed into a string.
  app.removeContentTypeParser('text/plain');
  await app.register(cookie);
  if (config.compression) await registerCompression(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OpenASM API',
        version: '1',
        description:
          'Developing artisanal and small-scale mining: registry, licensing, traceability, markets.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.decorateRequest('ctx', null as unknown as RequestContext);
  app.decorateRequest('authProblem', null);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const auth = await authenticate(request.headers, request.cookies?.[SESSION_COOKIE]);
    request.ctx = {
      requestId: request.id,
      actor: auth.actor,
      ip: request.ip ?? null,
      userAgent: (request.headers['user-agent'] ?? '').slice(0, 300) || null,
    };
    request.authProblem = auth.actor ? null : auth.problem;
    if (!auth.actor && auth.problem && request.cookies?.[SESSION_COOKIE]) {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
    }
  });
  // Graceful stop: requests in flight finish, and their keep-alive connections close after the
  // answer instead of holding the server open until the keep-alive timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setErrorHandler(async (error, request, reply) => {
    let err = toAppError(error);
    // The limit that refused the body: a route may set its own (imports take 50 MB), else the server's.
    if (err.code === 'request.body_too_large')
      err = problems.bodyTooLarge(request.routeOptions.bodyLimit ?? config.bodyLimitBytes);
    // A missing or expired credential explains a 401 better than "sign in".
    if (err.code === 'auth.unauthenticated' && request.authProblem) err = request.authProblem;
    if (error instanceof AccessDenied) {
      await recordDenial(error, request.ctx).catch((e) =>
        request.log.error({ err: e }, 'could not audit a denial'),
      );
    }
    if (err.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(request, reply, err);
  });
  const webClient = deps.serveWeb === false ? false : await registerWebClient(app);
  app.setNotFoundHandler((request, reply) => {
    // Deep links into the web client (/admin/users/…) load the app shell, which routes in the browser.
    if (webClient && wantsAppShell(request.method, request.url, request.headers.accept)) {
      reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html');
    }
    return sendProblem(request, reply, new AppError(404, 'route.not_found', 'There is no such endpoint.'));
  });

  async function recordDenial(denied: AccessDenied, ctx: RequestContext | null): Promise<void> {
    if (!ctx) return;
    await database.db.transaction().execute((tx) =>
      audit.record(tx, ctx, {
        action: 'access.denied',
        entityType: denied.target ? auditEntityType(denied.target.entityType) : 'endpoint',
        entityId: denied.target?.entityId ?? null,
        areaId: denied.target?.areaId ?? null,
        meta: { permission: denied.permission, code: denied.code },
      }),
    );
  }

  const moduleDeps: ModuleDeps = {
    config,
    database,
    clock,
    audit,
    runWrite: createWriteRunner(database, { afterCommit: () => credentials.clear() }),
    metrics,
    jobs: deps.jobs ?? null,
    notifier: deps.notifier ?? createLogNotifier(config.logLevel === 'silent' ? () => {} : undefined),
    authenticate,
  };
  metrics.gauge('openasm_db_pool_waiting', 'Requests waiting for a database connection.', () => {
    const pool = database.pool as { queueLength?: number; waitingCount?: number };
    return pool.queueLength ?? pool.waitingCount ?? 0;
  });

  registerHealthRoutes(app, moduleDeps);
  await app.register(
    async (api) => {
      const typed = api.withTypeProvider<ZodTypeProvider>();
      registerAuthRoutes(typed, moduleDeps);
      registerClientConfigRoutes(typed, moduleDeps);
      registerUserRoutes(typed, moduleDeps);
      registerRoleRoutes(typed, moduleDeps);
      registerTokenRoutes(typed, moduleDeps);
      registerAdminAreaRoutes(typed, moduleDeps);
      registerProfileRoutes(typed, moduleDeps);
      registerAuditRoutes(typed, moduleDeps);
      registerTaskRoutes(typed, moduleDeps);
      registerEnterpriseRoutes(typed, moduleDeps);
      registerPeopleRoutes(typed, moduleDeps);
      registerLicensingRoutes(typed, moduleDeps);
      registerLicenceCardRoutes(typed, moduleDeps);
      registerLicenceCardSheetRoutes(typed, moduleDeps);
      registerLicenceFeeRoutes(typed, moduleDeps);
      registerLicenceRightsRoutes(typed, moduleDeps);
      registerPublicRegisterRoutes(typed, moduleDeps);
      registerCadastreRoutes(typed, moduleDeps);
      registerCustodyRoutes(typed, moduleDeps);
      registerCustodyBatchRoutes(typed, moduleDeps);
      registerCustodyOversightRoutes(typed, moduleDeps);
      registerImprovementRoutes(typed, moduleDeps);
      registerCustodyLabelRoutes(typed, moduleDeps);
      registerCustodyActorStatusRoutes(typed, moduleDeps);
      registerDueDiligenceRoutes(typed, moduleDeps);
      registerLogbookRoutes(typed, moduleDeps);
    },
    { prefix: '/api/v1' },
  );
  return app;
}

export type TypedApp = FastifyInstance<
  import('fastify').RawServerDefault,
  import('fastify').RawRequestDefaultExpression,
  import('fastify').RawReplyDefaultExpression,
  import('fastify').FastifyBaseLogger,
  ZodTypeProvider
>;
