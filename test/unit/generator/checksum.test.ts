/**
 * The generator's output is pinned: `npm run generate -- --seed 42 --users 3 --days 365` (stdout) must keep the
 * same bytes, so a refactoring of shared/generator/ that changes what it generates (or the order it draws random
 * numbers in) fails here. The bytes are built in-process the way bin/generate.ts writes them: one
 * transactionLine() plus a newline per transaction, users 0, 1, 2 in order, with the CLI's default options.
 *
 * If the generator is meant to change, recompute the digest with
 * `npm run --silent generate -- --seed 42 --users 3 --days 365 2>/dev/null | sha256sum` and update it here.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_START,
  generateUser,
  transactionLine,
  type GeneratorOptions,
} from '../../../shared/generator/index';

const CLI_SHA256 = '05e5c444911bcd23bda0bfde1ba69924025dcda8e018726346e6b8940c48c100';

describe('generator output checksum', () => {
  it('matches `npm run generate -- --seed 42 --users 3 --days 365` byte for byte', () => {
    const options: GeneratorOptions = { seed: 42, start: DEFAULT_START, days: 365 };
    const hash = createHash('sha256');
    let lines = 0;
    for (let i = 0; i < 3; i++) {
      const user = generateUser(options, i);
      for (const txn of user.transactions) {
        hash.update(`${transactionLine(user, txn)}\n`);
        lines++;
      }
    }
    expect(lines).toBe(5126);
    expect(hash.digest('hex')).toBe(CLI_SHA256);
  }, 60_000);
});
