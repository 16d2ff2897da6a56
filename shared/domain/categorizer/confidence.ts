/**
 * Plaid's `confidence_level` beside our numeric confidence (0..1). Plaid documents the levels as: VERY_HIGH
 * "more than 98% confident", HIGH "more than 90%", MEDIUM "moderately confident", LOW "this category may be
 * accurate but we are not confident", UNKNOWN "we don't know the category". Our bands, from the measured
 * precision of each confidence band (`npm run bench -- --only categorization`):
 * - VERY_HIGH: confidence >= 0.95 (user rules and user-set categories are 1);
 * - HIGH: >= 0.85;
 * - MEDIUM: >= 0.7 (the engine's default threshold: below it the engine abstains);
 * - LOW: > 0 (only a caller asking for full coverage sees these);
 * - UNKNOWN: 0 or not a number.
 */
export const CONFIDENCE_LEVELS = ['VERY_HIGH', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as const;
export type ConfidenceLevel = (typeof CONFIDENCE_LEVELS)[number];

export function confidenceLevel(confidence: number): ConfidenceLevel {
  if (!Number.isFinite(confidence) || confidence <= 0) return 'UNKNOWN';
  if (confidence >= 0.95) return 'VERY_HIGH';
  if (confidence >= 0.85) return 'HIGH';
  if (confidence >= 0.7) return 'MEDIUM';
  return 'LOW';
}
