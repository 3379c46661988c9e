import { AppError } from '../../platform/errors.ts';

/**
 * The custody module's stable problem codes. 422: the request can never succeed as sent (the masses
 * do not add up, minerals differ); 409: it conflicts with the state of a lot or actor now (sold,
 * consumed, suspended), so reloading shows why.
 */
export const custodyProblems = {
  massMismatch: (inputMg: number, outputMg: number) =>
    new AppError(422, 'custody.mass_mismatch', 'The parts must add up to the lot exactly.', {
      inputMg,
      outputMg,
    }),
  massCreated: (inputMg: number, outputMg: number) =>
    new AppError(422, 'custody.mass_created', 'Processing cannot give out more mass than went in.', {
      inputMg,
      outputMg,
    }),
  mixedMinerals: (minerals: string[]) =>
    new AppError(422, 'custody.mixed_minerals', 'Lots of different minerals cannot be combined.', {
      minerals,
    }),
  notHolder: (lotIds: string[]) =>
    new AppError(409, 'custody.not_holder', 'The lot is not held by this actor (any more).', { lotIds }),
  lotClosed: (lotIds: string[]) =>
    new AppError(409, 'custody.lot_closed', 'The lot was already consumed or exported.', { lotIds }),
  invalidTag: () =>
    new AppError(422, 'custody.invalid_tag', 'This lot tag is mistyped: its check character does not match.'),
  actorSuspended: (actorId: string) =>
    new AppError(409, 'custody.actor_suspended', 'This actor is suspended and cannot trade or process.', {
      actorId,
    }),
  sameActor: () =>
    new AppError(422, 'custody.same_actor', 'The seller and the buyer must be different actors.'),
  wrongActorKind: (actorId: string, allowed: readonly string[]) =>
    new AppError(422, 'custody.wrong_actor_kind', 'This kind of actor cannot do this.', { actorId, allowed }),
  countryMismatch: () =>
    new AppError(
      422,
      'custody.country_mismatch',
      'Everyone and everything in one event must be in one country.',
    ),
  unknownReference: (path: string, entity: string) =>
    new AppError(422, 'custody.unknown_reference', `${entity} does not exist.`, { path, entity }),
  ownConfirmation: () =>
    new AppError(409, 'custody.own_confirmation', 'The other side of the transfer must confirm it.'),
  idConflict: () => new AppError(409, 'resource.id_conflict', 'Another record already has this id.'),
};
