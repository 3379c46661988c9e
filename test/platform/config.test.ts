import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config.ts';

describe('configuration', () => {
  it('has development defaults: embedded database in ./data, port 8080, demo data', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      env: 'development',
      port: 8080,
      demoData: true,
      database: { kind: 'pglite', dataDir: './data/pglite' },
    });
  });

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/openasm' });
    expect(c.database).toMatchObject({ kind: 'postgres', url: 'postgres://u@db:5432/openasm', appUrl: null });
  });

  it('stops a production process without an audit signing key, naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AUDIT_SIGNING_KEY/);
  });

  it('refuses demo data in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', AUDIT_SIGNING_KEY: 'k', DEMO_DATA: 'true' })).toThrow(
      /DEMO_DATA/,
    );
    expect(loadConfig({ NODE_ENV: 'production', AUDIT_SIGNING_KEY: 'k' }).demoData).toBe(false);
  });

  it('names each wrong variable', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', PROFILE: 'mars' });
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT/);
      expect(problems).toMatch(/DATABASE_URL/);
      expect(problems).toMatch(/PROFILE/);
    }
  });

  it('refuses an app role name that is not a plain identifier (it is spliced into SQL)', () => {
    expect(() => loadConfig({ APP_DB_ROLE: 'x; DROP TABLE users' })).toThrow(/APP_DB_ROLE/);
  });
});

describe('TRUST_PROXY', () => {
  it('takes a hop count or proxy addresses, never "trust everything"', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.5, 10.0.1.0/24' }).trustProxy).toBe('10.0.0.5, 10.0.1.0/24');
    expect(loadConfig({}).trustProxy).toBe(false);
    for (const bad of ['true', '10', '0', 'beef', '10.0.0.0/33']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
    }
  });
});

describe('empty variables', () => {
  it('count as not set', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' })).toMatchObject({
      port: 8080,
      database: { kind: 'pglite' },
    });
  });
});
