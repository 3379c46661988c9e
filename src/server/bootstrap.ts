import type { Config } from './config.ts';
import { seedCadastreDemo } from './demo/cadastre-seed.ts';
import { seedCustodyDemo } from './demo/custody-seed.ts';
import { seedDetectionsDemo } from './demo/detections-seed.ts';
import { seedFeesAndRightsDemo } from './demo/fees-rights-seed.ts';
import { seedLicensingDemo } from './demo/licensing-seed.ts';
import { seedRegistryDemo } from './demo/registry-seed.ts';
import { demoPhones, seedDemo } from './demo/seed.ts';
import { loadProfileByName } from './modules/profiles/loader.ts';
import { ensureDefaultRoles } from './modules/roles/repo.ts';
import { createAuditLog } from './platform/audit/audit.ts';
import { systemClock } from './platform/clock.ts';
import { systemContext } from './platform/context.ts';
import { type Database, openDatabase } from './platform/db/database.ts';
import { migrate } from './platform/db/migrate.ts';

export interface BootReport {
  migrationsApplied: number[];
  rolesAdded: string[];
  profile: { profileId: string; version: string; changed: boolean; areasChanged: number };
  demo: {
    created: boolean;
    accounts: { phone: string; role: string; area: string }[];
    password: string | null;
  } | null;
}

/**
 * Brings a database to a working state: migrations, default roles, the configured country profile
 * (with its areas), and, outside production, the demo accounts. Every step is idempotent, so it
 * runs at each start.
 */
export async function bootstrap(
  config: Config,
  log: (msg: string) => void = () => {},
): Promise<{ database: Database; report: BootReport }> {
  const database = await openDatabase(config);
  const migrationsApplied = await migrate(database);
  if (migrationsApplied.length) log(`applied migrations ${migrationsApplied.join(', ')}`);
  const audit = createAuditLog({ clock: systemClock });
  const ctx = systemContext('bootstrap');
  const rolesAdded = await database.db.transaction().execute((tx) => ensureDefaultRoles(tx));
  const profile = await loadProfileByName(database, audit, ctx, config.profile, log);
  const demo = config.demoData ? await seedDemo(database, audit, ctx, config.profile, log) : null;
  if (config.demoData) {
    await seedRegistryDemo(database, { audit, clock: systemClock }, ctx, config.profile, log);
    await seedLicensingDemo(database, { audit, clock: systemClock }, ctx, log);
    await seedFeesAndRightsDemo(database, { audit, clock: systemClock }, ctx, log);
    await seedDetectionsDemo(database, { audit, clock: systemClock }, ctx, config.profile, log);
    await seedCadastreDemo(database, { audit, clock: systemClock }, ctx, config.profile, log);
    await seedCustodyDemo(database, { audit, clock: systemClock }, ctx, config.profile, log);
  }
  if (config.env === 'production') await refuseActiveDemoAccounts(database);
  return { database, report: { migrationsApplied, rolesAdded, profile, demo } };
}

/** Demo accounts share a published password; a production server must not run while one is active. */
async function refuseActiveDemoAccounts(database: Database): Promise<void> {
  const active = await database.db
    .selectFrom('users')
    .select('phone')
    .where('phone', 'in', demoPhones())
    .where('status', '=', 'active')
    .execute();
  if (active.length > 0) {
    await database.close();
    throw new Error(
      `demo accounts are active (${active.map((a) => a.phone).join(', ')}); disable them with ` +
        '`openasm user disable --phone …` before running in production',
    );
  }
}
