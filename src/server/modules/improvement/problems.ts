import { AppError } from '../../platform/errors.ts';

/**
 * The improvement module's stable problem codes. 422: the request can never succeed as sent; 409: it
 * conflicts with the country's set-up or the state of a record now.
 */
export const improvementProblems = {
  noStandard: (country: string) =>
    new AppError(409, 'improvement.no_standard', "The country's profile has no improvement standard.", {
      country,
    }),
  unknownRequirement: (codes: string[]) =>
    new AppError(422, 'improvement.unknown_requirement', 'The standard has no such requirement.', {
      codes,
    }),
  duplicateAnswer: (codes: string[]) =>
    new AppError(422, 'improvement.duplicate_answer', 'A requirement is answered twice.', { codes }),
  evidenceRequired: (codes: string[]) =>
    new AppError(
      422,
      'improvement.evidence_required',
      'A verification must give evidence for every requirement it finds met.',
      { codes },
    ),
  assessedInFuture: () =>
    new AppError(422, 'improvement.assessed_in_future', 'An assessment cannot take place in the future.'),
  unknownSubject: (path: string) =>
    new AppError(
      422,
      'improvement.unknown_subject',
      'The person, enterprise or production unit does not exist.',
      {
        path,
      },
    ),
  invalidTransition: (from: string, to: string) =>
    new AppError(409, 'improvement.invalid_transition', `An action cannot go from ${from} to ${to}.`, {
      from,
      to,
    }),
  noteRequired: () => new AppError(422, 'improvement.note_required', 'Say why the action is dropped.'),
  idConflict: () => new AppError(409, 'resource.id_conflict', 'Another record already has this id.'),
};
