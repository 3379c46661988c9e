import { isIP } from 'node:net';
import { z } from 'zod';

/** An IP address or CIDR block, as a trusted proxy is named. */
function isProxyAddress(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  if (rest.length > 0 || !address) return false;
  const version = isIP(address);
  if (version === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return Number.isInteger(n) && n >= 0 && n <= (version === 4 ? 32 : 128);
}

/**
 * Every setting OpenASM reads from the environment. README.md has the same list as a table; keep
 * them in step. Development defaults apply only when NODE_ENV is development or test: a production
 * process with a missing or wrong setting stops at boot and names the variable.
 */
const port = z.coerce.number().int().min(1).max(65535);

const baseSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATABASE_APP_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATA_DIR: z.string().min(1).default('./data'),
  APP_DB_ROLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'must be a plain lower-case SQL identifier')
    .default('openasm_app'),
  PROFILE: z.enum(['ghana', 'drc']).default('ghana'),
  DEMO_DATA: z.enum(['true', 'false']).optional(),
  AUDIT_SIGNING_KEY: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50_000_000).default(1_000_000),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 7)
    .default(12),
  TRUST_PROXY: z
    .string()
    .default('false')
    .refine(
      (v) => v === 'false' || /^[1-9]$/.test(v) || v.split(',').every((a) => isProxyAddress(a.trim())),
      'false, a number of proxy hops (1-9), or a comma-separated list of proxy IP addresses or CIDRs',
    ),
  HTTP_COMPRESSION: z.enum(['on', 'off']).default('on'),
  JOBS: z.enum(['on', 'off']).default('on'),
  MAP_TILE_URL: z
    .string()
    .regex(/^https:\/\/.+\{z\}.+\{x\}.+\{y\}/, 'must be an https URL template with {z}, {x} and {y}')
    .optional(),
  MAP_TILE_ATTRIBUTION: z.string().max(300).optional(),
});

export type Env = z.infer<typeof baseSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  database:
    | { kind: 'pglite'; dataDir: string | null }
    | { kind: 'postgres'; url: string; appUrl: string | null; poolSize: number };
  appDbRole: string;
  dataDir: string;
  profile: Env['PROFILE'];
  demoData: boolean;
  /** Ed25519 private key (PKCS#8 PEM or base64 DER); null only outside production. */
  auditSigningKey: string | null;
  logLevel: Env['LOG_LEVEL'];
  bodyLimitBytes: number;
  session: { idleMs: number; absoluteMs: number };
  /** false, a hop count, or the addresses of trusted proxies (never "trust everything"). */
  trustProxy: false | number | string;
  jobs: boolean;
  /** Compress API answers for clients that accept it (off when a proxy in front already does). */
  compression: boolean;
  /** Optional raster tiles behind the maps; none by default, so maps work without internet. */
  mapTiles: { url: string; attribution: string } | null;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (DATABASE_URL= in a unit file or a shell) means "not set", as operators expect.
  const given = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = baseSchema.safeParse(given);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.NODE_ENV === 'production') {
    if (!e.AUDIT_SIGNING_KEY)
      problems.push('AUDIT_SIGNING_KEY: required in production (Ed25519 private key)');
    if (e.DEMO_DATA === 'true') problems.push('DEMO_DATA: demo accounts must not be loaded in production');
  }
  if (e.DATABASE_APP_URL && !e.DATABASE_URL) {
    problems.push('DATABASE_APP_URL: set DATABASE_URL too (it owns the schema and runs migrations)');
  }
  if (problems.length) throw new ConfigError(problems);

  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    database: e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: e.DATABASE_URL,
          appUrl: e.DATABASE_APP_URL ?? null,
          poolSize: e.DATABASE_POOL_SIZE,
        }
      : { kind: 'pglite', dataDir: e.DATA_DIR === ':memory:' ? null : `${e.DATA_DIR}/pglite` },
    appDbRole: e.APP_DB_ROLE,
    dataDir: e.DATA_DIR,
    profile: e.PROFILE,
    demoData: e.DEMO_DATA ? e.DEMO_DATA === 'true' : e.NODE_ENV !== 'production',
    auditSigningKey: e.AUDIT_SIGNING_KEY ?? null,
    logLevel: e.LOG_LEVEL,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    session: { idleMs: e.SESSION_IDLE_MINUTES * 60_000, absoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000 },
    trustProxy:
      e.TRUST_PROXY === 'false'
        ? false
        : /^[1-9]$/.test(e.TRUST_PROXY)
          ? Number(e.TRUST_PROXY)
          : e.TRUST_PROXY,
    jobs: e.JOBS === 'on',
    compression: e.HTTP_COMPRESSION === 'on',
    mapTiles: e.MAP_TILE_URL ? { url: e.MAP_TILE_URL, attribution: e.MAP_TILE_ATTRIBUTION ?? '' } : null,
  };
}
