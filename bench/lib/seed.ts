import { ensureDefaultRoles } from '../../src/server/modules/roles/repo.ts';
import { hashPassword } from '../../src/server/platform/auth/passwords.ts';
import type { Database } from '../../src/server/platform/db/database.ts';
import {
  createRng,
  type GeneratedGeography,
  type GeneratedUser,
  generateGeography,
  generateUsers,
  insertAreas,
  insertUsers,
  phoneNumber,
  seededUuidv7,
} from '../generate.ts';

export const BENCH_PASSWORD = 'bench password, not a secret';

export interface Seeded {
  geography: GeneratedGeography;
  users: GeneratedUser[];
  supervisor: { id: string; phone: string; password: string };
  seconds: number;
}

/**
 * Roles, the generated geography, `userCount` field accounts and one national supervisor who can
 * sign in. One transaction: a half-seeded database never gets measured.
 */
export async function seedBench(
  database: Database,
  opts: { seed: number; districts: number; users: number },
): Promise<Seeded> {
  const t0 = performance.now();
  const rng = createRng(opts.seed);
  const geography = generateGeography(rng, { districts: opts.districts });
  const users = generateUsers(rng, geography.districts, opts.users);
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const supervisorRng = rng.fork('supervisor');
  const supervisor = {
    id: seededUuidv7(supervisorRng, Date.UTC(2024, 11, 31)),
    phone: phoneNumber(opts.users),
    password: BENCH_PASSWORD,
  };
  await database.db.transaction().execute(async (tx) => {
    await ensureDefaultRoles(tx);
    await insertAreas(tx, geography.all);
    // Field accounts share one hash: realistic row width without 10,000 argon2 runs.
    await insertUsers(tx, users, passwordHash);
    await tx
      .insertInto('users')
      .values({
        id: supervisor.id,
        name: 'Bench National Supervisor',
        phone: supervisor.phone,
        email: null,
        password_hash: passwordHash,
        area_id: geography.country.id,
      })
      .execute();
    await tx
      .insertInto('user_assignments')
      .values({
        id: seededUuidv7(supervisorRng, Date.UTC(2024, 11, 31) + 1),
        user_id: supervisor.id,
        role_code: 'national_supervisor',
        area_id: geography.country.id,
      })
      .execute();
  });
  return { geography, users, supervisor, seconds: (performance.now() - t0) / 1000 };
}
