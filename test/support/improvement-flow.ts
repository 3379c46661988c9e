import type { Database } from '../../src/server/platform/db/database.ts';

/**
 * A small improvement standard for tests: three levels, two requirements at level 1, two at level 2,
 * one at level 3. The shipped illustrative standards live in the real profiles.
 */
export const TEST_STANDARD = {
  code: 'test_standard',
  names: { en: 'Test standard' },
  notes: { en: 'For tests only.' },
  levels: [
    { code: 'one', names: { en: 'One' } },
    { code: 'two', names: { en: 'Two' } },
    { code: 'three', names: { en: 'Three' } },
  ],
  modules: [
    { code: 'safety', names: { en: 'Safety' } },
    { code: 'mercury', names: { en: 'Mercury' } },
  ],
  requirements: [
    { code: 'first_aid', module: 'safety', level: 1, texts: { en: 'First-aid kit' }, deadlineMonths: 3 },
    { code: 'no_children', module: 'safety', level: 1, texts: { en: 'No child labour' }, deadlineMonths: 1 },
    { code: 'retort', module: 'mercury', level: 2, texts: { en: 'Retort used' }, deadlineMonths: 6 },
    { code: 'shoring', module: 'safety', level: 2, texts: { en: 'Pits shored' }, deadlineMonths: 12 },
    {
      code: 'no_mercury',
      module: 'mercury',
      level: 3,
      texts: { en: 'Mercury-free' },
      deadlineMonths: 24,
      evidenceHint: { en: 'Photo of the sluice' },
    },
  ],
};

/** Puts the test standard (or none) into the installed test profile of GH. */
export async function installTestStandard(database: Database, standard: object | null = TEST_STANDARD) {
  await database.asOwner((c) =>
    c.query(
      standard === null
        ? `UPDATE country_profiles SET document = document - 'improvementStandard' WHERE country = 'GH'`
        : `UPDATE country_profiles SET document = jsonb_set(document, '{improvementStandard}', $1::jsonb) WHERE country = 'GH'`,
      standard === null ? [] : [JSON.stringify(standard)],
    ),
  );
}

type Answer = 'met' | 'partly' | 'not_met' | 'not_applicable';

/** Answers for an assessment: every answer given as met carries evidence, as a verification needs. */
export const answers = (given: Record<string, Answer>) =>
  Object.entries(given).map(([requirementCode, answer]) => ({
    requirementCode,
    answer,
    ...(answer === 'met' ? { evidence: [{ kind: 'photo', reference: `IMG-${requirementCode}` }] } : {}),
  }));

/** Every requirement of the test standard met. */
export const ALL_MET = answers(
  Object.fromEntries(TEST_STANDARD.requirements.map((r) => [r.code, 'met'])) as Record<string, Answer>,
);
