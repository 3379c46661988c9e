import { parseArgs } from 'node:util';
import { createUserBody } from '../../shared/schemas/accounts.ts';
import { type Config, ConfigError, loadConfig } from '../config.ts';
import { loadProfile, PROFILES_DIR, readProfileFolder } from '../modules/profiles/loader.ts';
import { ensureDefaultRoles } from '../modules/roles/repo.ts';
import { createUserService } from '../modules/users/service.ts';
import { createAuditLog } from '../platform/audit/audit.ts';
import {
  checkpointStatement,
  loadSigningKey,
  publicKeyOf,
  writeCheckpoint,
} from '../platform/audit/checkpoint.ts';
import { verifyChain } from '../platform/audit/verify.ts';
import { systemClock } from '../platform/clock.ts';
import { systemContext } from '../platform/context.ts';
import { type Database, openDatabase } from '../platform/db/database.ts';
import { migrate } from '../platform/db/migrate.ts';
import { AppError } from '../platform/errors.ts';

const HELP = `openasm — OpenASM operator commands (settings come from the same environment as the server)

  openasm migrate                         apply pending database migrations
  openasm load-profile <name|folder>      load a country profile (ghana, drc, or a folder) and its areas
  openasm user create --name N --phone +233… --area CODE --role ROLE
                                          create an account; the password is read from OPENASM_PASSWORD
  openasm user disable --phone +233…      disable an account and end its sessions now
  openasm audit verify                    recompute the audit chain; exit 1 at the first broken link
  openasm audit checkpoint                sign the chain head with AUDIT_SIGNING_KEY
`;

const out = (line: string) => process.stdout.write(`${line}\n`);

async function withDatabase<T>(config: Config, fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(config);
  try {
    await migrate(database);
    return await fn(database);
  } finally {
    await database.close();
  }
}

export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    out(HELP);
    return command ? 0 : 2;
  }
  const config = loadConfig(env);
  const audit = createAuditLog({ clock: systemClock });
  const ctx = systemContext(`cli:${command}${sub ? `:${sub}` : ''}`);

  switch (command) {
    case 'migrate': {
      const database = await openDatabase(config);
      try {
        const applied = await migrate(database);
        out(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await database.close();
      }
      return 0;
    }
    case 'load-profile': {
      const target = sub ?? config.profile;
      const folder = target.includes('/') ? target : `${PROFILES_DIR}${target}`;
      const files = readProfileFolder(folder);
      return withDatabase(config, async (database) => {
        await database.db.transaction().execute((tx) => ensureDefaultRoles(tx));
        const r = await loadProfile(database, audit, ctx, files);
        out(
          r.changed
            ? `loaded ${r.profileId} ${r.version}: ${r.areasChanged} areas changed`
            : `${r.profileId} ${r.version} was already loaded: nothing changed`,
        );
        return 0;
      });
    }
    case 'user': {
      const { values } = parseArgs({
        args: rest,
        options: {
          name: { type: 'string' },
          phone: { type: 'string' },
          area: { type: 'string' },
          role: { type: 'string' },
          language: { type: 'string' },
        },
      });
      return withDatabase(config, async (database) => {
        if (sub === 'create') {
          const area = values.area
            ? await database.db
                .selectFrom('admin_areas')
                .select('id')
                .where('code', '=', values.area)
                .executeTakeFirst()
            : undefined;
          if (!area) throw new CliError(`--area: no admin area with code ${values.area ?? '(missing)'}`);
          const input = createUserBody.parse({
            name: values.name,
            phone: values.phone,
            password: env.OPENASM_PASSWORD,
            areaId: area.id,
            preferredLanguage: values.language,
            assignments: values.role ? [{ roleCode: values.role, areaId: area.id }] : [],
          });
          const users = createUserService({ audit, clock: systemClock });
          const { user } = await database.db.transaction().execute((tx) => users.create(tx, ctx, input));
          out(
            `created ${user.name} (${user.phone}) id ${user.id}${env.OPENASM_PASSWORD ? '' : ' — no password set: set OPENASM_PASSWORD to give one'}`,
          );
          return 0;
        }
        if (sub === 'disable') {
          const u = values.phone
            ? await database.db
                .selectFrom('users')
                .select('id')
                .where('phone', '=', values.phone)
                .executeTakeFirst()
            : undefined;
          if (!u) throw new CliError(`--phone: no account with phone ${values.phone ?? '(missing)'}`);
          const users = createUserService({ audit, clock: systemClock });
          await database.db.transaction().execute((tx) => users.setStatus(tx, ctx, u.id, 'disabled'));
          out(`disabled ${values.phone}; its sessions are ended`);
          return 0;
        }
        throw new CliError(`unknown: user ${sub ?? ''}`);
      });
    }
    case 'audit': {
      const key = loadSigningKey(config.auditSigningKey, config.dataDir, config.env);
      return withDatabase(config, async (database) => {
        if (sub === 'verify') {
          const trusted = (env.AUDIT_TRUSTED_KEYS ?? '')
            .split(',')
            .map((k) => k.trim())
            .filter(Boolean);
          const r = await verifyChain(database.db, { publicKeys: [publicKeyOf(key), ...trusted] });
          if (r.ok) {
            out(
              `audit chain intact: ${r.eventsChecked} events up to #${r.headSeq}, ${r.checkpointsChecked} checkpoints`,
            );
            return 0;
          }
          const b = r.firstBrokenLink!;
          out(`AUDIT CHAIN BROKEN at event #${b.seq}: ${b.reason} — ${b.detail}`);
          out(`${r.eventsChecked} events before it verified`);
          return 1;
        }
        if (sub === 'checkpoint') {
          const cp = await database.db
            .transaction()
            .execute((tx) => writeCheckpoint(tx, ctx, audit, key, systemClock));
          // Everything an outsider needs to check the signature: publish these lines.
          out(`checkpoint of event #${cp.seq} hash ${cp.hash}`);
          out(`signed at ${cp.signedAt.toISOString()}`);
          out(`statement ${checkpointStatement(cp.seq, cp.hash, cp.signedAt)}`);
          out(`public key ${cp.publicKey}`);
          out(`signature ${cp.signature}`);
          return 0;
        }
        throw new CliError(`unknown: audit ${sub ?? ''}`);
      });
    }
    default:
      throw new CliError(`unknown command ${command}\n\n${HELP}`);
  }
}

export class CliError extends Error {}

const isEntry = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/src\//, '/src/'));
if (isEntry || process.argv[1]?.endsWith('openasm.js') || process.argv[1]?.endsWith('openasm')) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof ConfigError || err instanceof CliError) console.error(err.message);
      else if (err instanceof AppError)
        console.error(
          `${err.code}: ${err.message}${err.extra.errors ? ` ${JSON.stringify(err.extra.errors)}` : ''}`,
        );
      else if (err && typeof err === 'object' && 'issues' in err)
        console.error(`invalid input: ${JSON.stringify((err as { issues: unknown }).issues)}`);
      else console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
