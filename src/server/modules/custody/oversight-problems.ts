import { AppError } from '../../platform/errors.ts';

/** Stable problem codes of custody oversight: flags, incidents, reference prices. */
export const oversightProblems = {
  unknownReference: (path: string, entity: string) =>
    new AppError(422, 'custody.unknown_reference', `${entity} does not exist.`, { path, entity }),
  /** Annex II class 1: trade with this actor, or from this site, stops while the incident stands. */
  disengaged: (incidentIds: string[]) =>
    new AppError(
      409,
      'custody.disengaged',
      'A serious incident (OECD Annex II, class 1) names this actor or site: trade with it is suspended.',
      { incidentIds },
    ),
  flagResolved: () => new AppError(409, 'custody.flag_resolved', 'This flag is already resolved.'),
  incidentClosed: () =>
    new AppError(409, 'custody.incident_closed', 'This incident is resolved; its plan can no longer change.'),
  incidentAreaMismatch: () =>
    new AppError(
      422,
      'custody.incident_area_mismatch',
      'The site, actor and lot named must be in one country.',
    ),
  idConflict: () => new AppError(409, 'resource.id_conflict', 'Another record already has this id.'),
};
