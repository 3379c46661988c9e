/**
 * What the registry already says about the requirements of a tier, for the holder of a licence who
 * looks at the next tier. A requirement the registry cannot decide is to_check: an officer checks it
 * at review, as for any application.
 *
 *   requirement code                     | person                            | enterprise
 *   -------------------------------------|-----------------------------------|-----------------------------------
 *   national_id, identity_document       | met: an ID document is recorded;  | to_check
 *                                        | missing: none is                  |
 *   minimum_age_18                       | from date of birth, else year of  | to_check
 *                                        | birth (to_check in the year it    |
 *                                        | turns 18), else age band (<18     |
 *                                        | missing); to_check when unknown   |
 *   member_register                      | to_check                          | met: it has current members;
 *                                        |                                   | missing: none
 *   benefit_sharing_rules                | to_check                          | met: rules are recorded; missing
 *   registered_company                   | missing (a person is no company)  | met: a company with its
 *                                        |                                   | registration; missing otherwise
 *   anything else                        | to_check                          | to_check
 *
 * A production unit is to_check throughout. Where the registry gives to_check, a requirement of the
 * same code marked met in the checklist of the licence's own application counts as met (an officer
 * saw it).
 */
export type RequirementStatus = 'met' | 'missing' | 'to_check';

export interface HolderFacts {
  kind: 'person' | 'enterprise' | 'production_unit';
  hasIdDocument: boolean;
  birthDate: string | null;
  birthYear: number | null;
  ageBand: string | null;
  currentMembers: number;
  hasBenefitSharingRules: boolean;
  form: string | null;
  hasRegistration: boolean;
}

/** Age in whole years on a day (ISO dates). */
export function ageOn(birthDate: string, day: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

function adult(f: HolderFacts, today: string): RequirementStatus {
  if (f.birthDate) return ageOn(f.birthDate, today) >= 18 ? 'met' : 'missing';
  if (f.birthYear !== null) {
    const years = Number(today.slice(0, 4)) - f.birthYear;
    if (years > 18) return 'met';
    if (years < 18) return 'missing';
    return 'to_check';
  }
  if (f.ageBand) return f.ageBand === '<18' ? 'missing' : 'met';
  return 'to_check';
}

/** The status of one requirement from the registry facts of the holder, on a day. */
export function deriveRequirement(code: string, f: HolderFacts, today: string): RequirementStatus {
  if (f.kind === 'person') {
    switch (code) {
      case 'national_id':
      case 'identity_document':
        return f.hasIdDocument ? 'met' : 'missing';
      case 'minimum_age_18':
        return adult(f, today);
      case 'registered_company':
        return 'missing';
      default:
        return 'to_check';
    }
  }
  if (f.kind === 'enterprise') {
    switch (code) {
      case 'member_register':
        return f.currentMembers > 0 ? 'met' : 'missing';
      case 'benefit_sharing_rules':
        return f.hasBenefitSharingRules ? 'met' : 'missing';
      case 'registered_company':
        return f.form === 'company' && f.hasRegistration ? 'met' : 'missing';
      default:
        return 'to_check';
    }
  }
  return 'to_check';
}
