/**
 * The level a set of answers reaches on an improvement standard. Level k is reached when every
 * requirement that applies at levels 1..k is met or does not apply; the level is the highest k
 * reached, 0 when level 1 is not. An unanswered requirement counts as not met: a verifier who skips
 * one must not raise the level by it. Shared with the web client, which shows the same figure.
 */
export type ImprovementAnswer = 'met' | 'partly' | 'not_met' | 'not_applicable';

export interface StandardShape {
  levels: readonly unknown[];
  requirements: readonly { code: string; level: number }[];
}

export interface LevelResult {
  level: number;
  /** Requirements answered met. */
  met: number;
  /** Requirements that apply (every one not answered not_applicable). */
  applicable: number;
}

export function levelReached(
  standard: StandardShape,
  answers: ReadonlyMap<string, ImprovementAnswer>,
): LevelResult {
  let level = standard.levels.length;
  let met = 0;
  let applicable = 0;
  for (const r of standard.requirements) {
    const answer = answers.get(r.code);
    if (answer !== 'not_applicable') applicable++;
    if (answer === 'met') met++;
    // A requirement that holds the producer back caps the level just below the one it applies at.
    if (answer !== 'met' && answer !== 'not_applicable') level = Math.min(level, r.level - 1);
  }
  return { level: Math.max(0, level), met, applicable };
}

/** Share of the applicable requirements that are met, in whole percent (rounded down: never flatter). */
export const metPercent = ({ met, applicable }: { met: number; applicable: number }): number =>
  applicable === 0 ? 100 : Math.floor((met * 100) / applicable);
