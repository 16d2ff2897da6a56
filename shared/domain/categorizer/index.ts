/**
 * Categorization: a pure engine that gives a transaction a Plaid personal-finance category from user rules,
 * then built-in rules (merchant directory, description cleaning, keywords, amounts, own-account transfers).
 * See `engine.ts` for the order and conventions, `user-rules.ts` for the rule model and its zod schemas.
 */
export { categorize, cleanMerchant, explain, DEFAULT_CONFIDENCE_THRESHOLD, type Candidate } from './engine';
export {
  CORRECTION_RULE_PRIORITY,
  MAX_PRIORITY,
  MIN_PRIORITY,
  RuleBodySchema,
  RuleCategorySchema,
  RuleMatchSchema,
  compileRule,
  ruleFromCorrection,
  winningRule,
  type RuleBody,
  type RuleBodyInput,
  type RuleCategory,
  type RuleMatch,
  type UserRule,
} from './user-rules';
export { MAX_REGEX_LENGTH, regexProblem } from './safe-regex';
export { parseDescription } from './clean';
export { CONFIDENCE_LEVELS, confidenceLevel, type ConfidenceLevel } from './confidence';
export { compactKey, merchantKey } from './text';
export { directoryEntries, lookupMerchantName, type DirectoryEntry } from './directory/index';
export type {
  CategorizeContext,
  CategorizeInput,
  CategoryResult,
  CategorySource,
  Channel,
  ParsedDescription,
} from './types';
