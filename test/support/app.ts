import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import { ManualClock } from '../../src/server/platform/clock.ts';
import type { Database } from '../../src/server/platform/db/database.ts';
import { createTestDatabase } from './db.ts';
import { type Fixtures, seedFixtures } from './fixtures.ts';

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  clock: ManualClock;
  fx: Fixtures;
  /** Signs in as a fixture user and returns headers carrying the session (cookie). */
  login(userKey: keyof Fixtures['users']): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export const TEST_PASSWORD = 'correct horse battery';

/**
 * The real app on a fresh real database, with a manual clock and the fixture geography and
 * accounts: country GH → regions GH-AH (Ashanti), GH-WN (Western North) → two districts each.
 */
export async function createTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const clock = new ManualClock(new Date('2026-03-02T08:00:00Z'));
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JOBS: 'off', ...overrides });
  const fx = await seedFixtures(database, TEST_PASSWORD);
  const app = await buildApp({ config, database, clock });
  await app.ready();
  return {
    app,
    database,
    clock,
    fx,
    async login(userKey) {
      const user = fx.users[userKey];
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { phone: user.phone, password: TEST_PASSWORD },
      });
      if (res.statusCode !== 200)
        throw new Error(`login as ${String(userKey)} failed: ${res.statusCode} ${res.body}`);
      const token = (res.json() as { token: string }).token;
      return { authorization: `Bearer ${token}` };
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}
