/**
 * Categorization quality and speed, on the generator's ground truth (and on labelled real-world descriptions in
 * `../shared/data/` beside the checkout, when there are any).
 *
 * - precision = share of categorized transactions whose category is right; coverage = share of transactions
 *   given a category at or above the engine's default confidence threshold. Primary level, and detailed.
 * - per bank; on a second seed; and on a held-out half of the generator's merchants (split by a hash of the
 *   merchant name): the rules were tuned looking only at errors of the other half, so the held-out figure is
 *   the one that says how the rules generalize to merchants nobody looked at.
 * - directory reach: how many of the generator's chain merchants the directory does not know by name.
 * - bank_a with the MCC it sends on card purchases, against bank_a without it;
 * - precision per Plaid confidence level (`confidence_level` on T and in enrich);
 * - the labelled statement strings of `../shared/data/categorization-dev.csv` (beside the checkout; see its
 *   README): the DEV part (~70%, whose errors may be looked at) and the HELD-OUT part (~30%, split by a hash of the
 *   description, never inspected line by line), precision by primary category and the confusion pairs that remain
 *   (true → given), and single-core throughput on those strings.
 */
import { createHash } from 'node:crypto';
import {
  categorize,
  confidenceLevel,
  CONFIDENCE_LEVELS,
  DEFAULT_CONFIDENCE_THRESHOLD,
  lookupMerchantName,
  type CategorizeInput,
} from '../../shared/domain/categorizer/index';
import { finalVersion, generateUniverse, MERCHANTS, type GeneratedUser } from '../../shared/generator/index';
import { DEV_SET_PATH, loadDevSet, type DevCase } from '../support/categorization-dev';
import type { Benchmark, Figure } from './types';

const USERS = 12;
const DAYS = 365;
const SEEDS = [42, 7] as const;

interface Case {
  input: CategorizeInput;
  context: { ownAccountIds: string[]; ownAccountMasks: string[] };
  bank: string;
  primary: string;
  detailed: string;
  merchant: string | null;
}

interface Outcome {
  c: Case;
  primary: string | null;
  detailed: string | null;
  confidence: number;
  ruleId: string | null;
}

function casesOf(users: readonly GeneratedUser[], withMcc = false): Case[] {
  const out: Case[] = [];
  for (const u of users) {
    const ids = u.accounts.map((a) => a.id);
    for (const t of u.transactions) {
      const v = finalVersion(t);
      out.push({
        input: {
          description: v.description,
          merchantName: null,
          amountMinor: v.amountMinor,
          currency: t.currency,
          accountId: t.accountId,
          // Only bank_a sends the MCC; the main figures are without it (the engine must work without it).
          mcc: withMcc && t.bank === 'bank_a' ? (t.mcc ?? null) : null,
        },
        context: {
          ownAccountIds: ids,
          ownAccountMasks: u.accounts.filter((a) => a.id !== t.accountId).map((a) => a.mask),
        },
        bank: t.bank,
        primary: t.truth.category.primary,
        detailed: t.truth.category.detailed,
        merchant: t.truth.merchant,
      });
    }
  }
  return out;
}

function run(cases: readonly Case[]): { outcomes: Outcome[]; ms: number } {
  const t0 = performance.now();
  const outcomes = cases.map((c) => {
    // minConfidence 0: keep every answer, so thresholds can be applied afterwards.
    const r = categorize(c.input, [], { ...c.context, minConfidence: 0 });
    return {
      c,
      primary: r?.primary ?? null,
      detailed: r?.detailed ?? null,
      confidence: r?.confidence ?? 0,
      ruleId: r?.rule_id ?? null,
    };
  });
  return { outcomes, ms: performance.now() - t0 };
}

interface Quality {
  n: number;
  coverage: number;
  precision: number;
  detailedPrecision: number;
}

function quality(outcomes: readonly Outcome[], threshold = DEFAULT_CONFIDENCE_THRESHOLD): Quality {
  const given = outcomes.filter((o) => o.primary !== null && o.confidence >= threshold);
  const right = given.filter((o) => o.primary === o.c.primary).length;
  const rightDetailed = given.filter((o) => o.detailed === o.c.detailed).length;
  return {
    n: outcomes.length,
    coverage: outcomes.length ? given.length / outcomes.length : 0,
    precision: given.length ? right / given.length : 0,
    detailedPrecision: given.length ? rightDetailed / given.length : 0,
  };
}

/** The merchant half whose errors were never looked at while writing the rules. */
function heldOut(merchant: string | null): boolean {
  if (!merchant) return false;
  const h = createHash('md5').update(merchant).digest('hex');
  return parseInt(h.slice(-8), 16) % 2 === 1;
}

const pct = (x: number) => Math.round(x * 10000) / 100;

interface DevOutcome {
  c: DevCase;
  primary: string | null;
}

/** Figures on the labelled statement strings beside the checkout: dev part, held-out part, per category. */
function devSetFigures(): Figure[] {
  const cases = loadDevSet();
  if (!cases) {
    console.error(
      `categorization: ${DEV_SET_PATH} is missing (it belongs beside the checkout, in ../shared/data/): ` +
        'no figures on real statement formats',
    );
    return [{ name: 'categorization dev-set lines (file missing)', value: 0, unit: 'count' }];
  }
  const inputs = cases.map((c) => ({
    description: c.description,
    merchantName: null,
    amountMinor: c.sign * 100,
    currency: c.currency,
    accountId: '',
  }));
  for (const i of inputs) categorize(i);
  const t0 = performance.now();
  const results = inputs.map((i) => categorize(i));
  const ms = performance.now() - t0;
  const outcomes: DevOutcome[] = cases.map((c, i) => ({ c, primary: results[i]?.primary ?? null }));
  const figures: Figure[] = [{ name: 'categorization dev-set lines', value: cases.length, unit: 'count' }];
  const parts: [string, DevOutcome[]][] = [
    ['dev part', outcomes.filter((o) => !o.c.heldOut)],
    ['held-out part', outcomes.filter((o) => o.c.heldOut)],
    ['all', outcomes],
  ];
  for (const [label, list] of parts) {
    const given = list.filter((o) => o.primary !== null);
    const right = given.filter((o) => o.primary === o.c.primary).length;
    figures.push(
      { name: `categorization dev-set ${label} lines`, value: list.length, unit: 'count' },
      {
        name: `categorization dev-set ${label} precision (primary)`,
        value: pct(given.length ? right / given.length : 0),
        unit: '%',
      },
      {
        name: `categorization dev-set ${label} coverage`,
        value: pct(list.length ? given.length / list.length : 0),
        unit: '%',
      },
    );
  }
  // Precision by the category given, and recall by the true one (all lines).
  const primaries = [...new Set(outcomes.flatMap((o) => [o.c.primary, o.primary ?? '']))]
    .filter(Boolean)
    .sort();
  for (const p of primaries) {
    const given = outcomes.filter((o) => o.primary === p);
    const truth = outcomes.filter((o) => o.c.primary === p);
    if (given.length)
      figures.push({
        name: `categorization dev-set precision ${p} (${given.length} given)`,
        value: pct(given.filter((o) => o.c.primary === p).length / given.length),
        unit: '%',
      });
    if (truth.length)
      figures.push({
        name: `categorization dev-set recall ${p} (${truth.length} lines)`,
        value: pct(truth.filter((o) => o.primary === p).length / truth.length),
        unit: '%',
      });
  }
  const pairs = new Map<string, number>();
  for (const o of outcomes) {
    if (o.primary === null || o.primary === o.c.primary) continue;
    const key = `${o.c.primary} -> ${o.primary}`;
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
  }
  for (const [key, n] of [...pairs].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)))
    figures.push({ name: `categorization dev-set confusion ${key}`, value: n, unit: 'count' });
  figures.push({
    name: 'categorization dev-set throughput (single core)',
    value: Math.round(cases.length / (ms / 1000)),
    unit: 'txn/s',
  });
  return figures;
}

export const benchmarks: Benchmark[] = [
  {
    name: 'categorization',
    async run(): Promise<Figure[]> {
      const figures: Figure[] = [];
      const th = DEFAULT_CONFIDENCE_THRESHOLD;
      figures.push({ name: 'categorization confidence threshold', value: th, unit: '' });

      const [mainSeed, otherSeed] = SEEDS;
      const main = casesOf(generateUniverse({ seed: mainSeed, start: '2026-01-01', days: DAYS }, USERS));
      // Warm-up (JIT, regex compilation), then the timed run.
      run(main);
      const { outcomes, ms } = run(main);
      const q = quality(outcomes);
      figures.push(
        {
          name: `categorization transactions (seed ${mainSeed}, ${USERS} users, ${DAYS} days)`,
          value: q.n,
          unit: 'txn',
        },
        { name: 'categorization precision (primary)', value: pct(q.precision), unit: '%' },
        { name: 'categorization coverage', value: pct(q.coverage), unit: '%' },
        { name: 'categorization precision (detailed)', value: pct(q.detailedPrecision), unit: '%' },
      );
      for (const bank of ['bank_a', 'bank_b', 'bank_c']) {
        const b = quality(outcomes.filter((o) => o.c.bank === bank));
        figures.push(
          { name: `categorization precision ${bank} (primary)`, value: pct(b.precision), unit: '%' },
          { name: `categorization coverage ${bank}`, value: pct(b.coverage), unit: '%' },
        );
      }
      const held = quality(outcomes.filter((o) => heldOut(o.c.merchant)));
      figures.push(
        {
          name: 'categorization held-out merchants precision (primary)',
          value: pct(held.precision),
          unit: '%',
        },
        { name: 'categorization held-out merchants coverage', value: pct(held.coverage), unit: '%' },
      );
      for (const t of [0, 0.8, 0.9]) {
        const tq = quality(outcomes, t);
        figures.push(
          { name: `categorization precision @ confidence ${t}`, value: pct(tq.precision), unit: '%' },
          { name: `categorization coverage @ confidence ${t}`, value: pct(tq.coverage), unit: '%' },
        );
      }

      const other = run(
        casesOf(generateUniverse({ seed: otherSeed, start: '2026-01-01', days: DAYS }, USERS)),
      );
      const oq = quality(other.outcomes);
      figures.push(
        { name: `categorization precision seed ${otherSeed} (primary)`, value: pct(oq.precision), unit: '%' },
        { name: `categorization coverage seed ${otherSeed}`, value: pct(oq.coverage), unit: '%' },
        {
          name: `categorization precision seed ${otherSeed} (detailed)`,
          value: pct(oq.detailedPrecision),
          unit: '%',
        },
      );
      const bankA = outcomes.filter((o) => o.c.bank === 'bank_a');
      const withMcc = run(
        casesOf(generateUniverse({ seed: mainSeed, start: '2026-01-01', days: DAYS }, USERS), true).filter(
          (c) => c.bank === 'bank_a',
        ),
      );
      const a0 = quality(bankA);
      const a1 = quality(withMcc.outcomes);
      figures.push(
        {
          name: 'categorization bank_a without MCC precision (primary)',
          value: pct(a0.precision),
          unit: '%',
        },
        { name: 'categorization bank_a without MCC coverage', value: pct(a0.coverage), unit: '%' },
        { name: 'categorization bank_a with MCC precision (primary)', value: pct(a1.precision), unit: '%' },
        { name: 'categorization bank_a with MCC coverage', value: pct(a1.coverage), unit: '%' },
      );
      for (const level of CONFIDENCE_LEVELS) {
        const at = outcomes.filter((o) => o.primary !== null && confidenceLevel(o.confidence) === level);
        if (!at.length) continue;
        figures.push(
          {
            name: `categorization confidence_level ${level} share`,
            value: pct(at.length / outcomes.length),
            unit: '%',
          },
          {
            name: `categorization confidence_level ${level} precision (primary)`,
            value: pct(at.filter((o) => o.primary === o.c.primary).length / at.length),
            unit: '%',
          },
        );
      }
      figures.push({
        name: 'categorization throughput',
        value: Math.round(outcomes.length / (ms / 1000)),
        unit: 'txn/s',
      });

      // Directory reach: chains of the generator's catalogue the directory does not know by name, and merchants
      // seen in the data that no transaction of which was recognised by the directory.
      const chains = MERCHANTS.filter((m) => !m.local);
      const unknownChains = chains.filter((m) => lookupMerchantName(m.name) === null).length;
      const seen = new Map<string, boolean>();
      for (const o of outcomes) {
        const m = o.c.merchant;
        if (!m) continue;
        const hit = o.ruleId?.startsWith('builtin:merchant:') ?? false;
        seen.set(m, (seen.get(m) ?? false) || hit);
      }
      figures.push(
        { name: 'categorization generator chain merchants', value: chains.length, unit: 'count' },
        {
          name: 'categorization chain merchants unknown to the directory (by name)',
          value: unknownChains,
          unit: 'count',
        },
        { name: 'categorization merchants seen in data', value: seen.size, unit: 'count' },
        {
          name: 'categorization merchants seen never matched by the directory',
          value: [...seen.values()].filter((v) => !v).length,
          unit: 'count',
        },
      );

      figures.push(...devSetFigures());
      return figures;
    },
  },
];
