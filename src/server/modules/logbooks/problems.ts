import { AppError } from '../../platform/errors.ts';

/**
 * The logbook module's stable problem codes. 422: the report can never be accepted as sent (its period
 * does not fit the reporting duty, it names no subject or an unknown one).
 */
export const logbookProblems = {
  oneSubject: () =>
    new AppError(
      422,
      'logbook.one_subject',
      'Name either the licence or the production unit the report is for, not both.',
    ),
  unknownSubject: (path: string, entity: string) =>
    new AppError(422, 'logbook.unknown_subject', `${entity} does not exist.`, { path, entity }),
  periodMisaligned: (periodKind: string, expectedStart: string) =>
    new AppError(
      422,
      'logbook.period_misaligned',
      'The period must start on the first day of a reporting period.',
      { periodKind, expectedStart },
    ),
  futurePeriod: (today: string) =>
    new AppError(422, 'logbook.future_period', 'A period that has not started yet cannot be reported.', {
      today,
    }),
  outsideLicence: (validFrom: string, validTo: string) =>
    new AppError(422, 'logbook.outside_licence', 'The period falls outside the time the licence was valid.', {
      validFrom,
      validTo,
    }),
  youthExceedsWorkers: () =>
    new AppError(422, 'logbook.youth_exceeds_workers', 'There cannot be more youth than workers.'),
  windowTooLong: (maxDays: number) =>
    new AppError(422, 'logbook.window_too_long', `Ask for at most ${maxDays} days at a time.`, { maxDays }),
};
