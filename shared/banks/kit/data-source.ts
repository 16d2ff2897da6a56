import { generateUser } from '../../generator';
import type { GeneratedUser, GeneratorOptions } from '../../generator/types';
import { bankEnv, type BankEnv } from './config';

/**
 * Where the mock banks get their data: THE one place the synthetic generator plugs in.
 *
 * A sandbox login maps to a generated user (`user_good` is user 0, `user_good_<n>` user n); the banks replay
 * that user's life cycles as of their clock (kit/replay.ts) and never see the ground-truth labels.
 */
export interface BankDataSource {
  /** The generated user behind sandbox login `index`, or null if there is none. */
  user(index: number): Promise<GeneratedUser | null>;
}

/** The largest sandbox user index a bank accepts (`user_good_<n>`). */
export const MAX_SANDBOX_USER = 100_000;

/** Serves a fixed list of users (tests; kit/fixtures.ts has hand-made ones). */
export class FixtureDataSource implements BankDataSource {
  private readonly byIndex: Map<number, GeneratedUser>;
  constructor(users: GeneratedUser[]) {
    this.byIndex = new Map(users.map((u) => [u.index, u]));
  }
  async user(index: number): Promise<GeneratedUser | null> {
    return this.byIndex.get(index) ?? null;
  }
}

/** Any index, made on demand and kept (a few users per Lambda container): a cache in front of a generator. */
export class GeneratingDataSource implements BankDataSource {
  private readonly cache = new Map<number, GeneratedUser>();
  constructor(
    private readonly make: (index: number) => GeneratedUser,
    private readonly capacity = 8,
  ) {}
  async user(index: number): Promise<GeneratedUser | null> {
    if (!Number.isSafeInteger(index) || index < 0 || index > MAX_SANDBOX_USER) return null;
    const hit = this.cache.get(index);
    if (hit) {
      this.cache.delete(index);
      this.cache.set(index, hit);
      return hit;
    }
    const user = this.make(index);
    this.cache.set(index, user);
    if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
    return user;
  }
}

/**
 * The generator options behind the banks' data: MOCK_BANK_SEED (42), MOCK_BANK_START (2026-01-01), MOCK_BANK_DAYS
 * (365), the generator CLI's defaults. Tests that compare what a bank serves with the ground truth generate the
 * same users with these options.
 */
export function generatorOptions(env: BankEnv = bankEnv()): GeneratorOptions {
  return { seed: env.MOCK_BANK_SEED, start: env.MOCK_BANK_START, days: env.MOCK_BANK_DAYS };
}

/**
 * The data the deployed banks serve: the synthetic generator (`shared/generator`), user `n` of the universe
 * described by generatorOptions(). THE plug-in point: a bank Lambda gets its data here and nowhere else.
 */
export function defaultDataSource(env: BankEnv = bankEnv()): BankDataSource {
  const options = generatorOptions(env);
  return new GeneratingDataSource((index) => generateUser(options, index));
}
