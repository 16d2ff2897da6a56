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
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  categorize,
  DEFAULT_CONFIDENCE_THRESHOLD,
  lookupMerchantName,
  type CategorizeInput,
} from '../../shared/domain/categorize/index';
import { finalVersion, generateUniverse, MERCHANTS, type GeneratedUser } from '../../shared/generator/index';
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

function casesOf(users: readonly GeneratedUser[]): Case[] {
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

/** Labelled real-world descriptions beside the checkout: JSON / JSONL / CSV with a description and a category. */
function realWorldCases(): {
  found: boolean;
  cases: { description: string; amount: number; primary: string }[];
} {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const dir = path.resolve(here, '..', '..', '..', 'shared', 'data');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return { found: false, cases: [] };
  const cases: { description: string; amount: number; primary: string }[] = [];
  const take = (rec: Record<string, unknown>) => {
    const description = rec.description ?? rec.name ?? rec.memo;
    const cat = rec.category;
    const primary =
      rec.primary ??
      rec.category_primary ??
      (typeof cat === 'object' && cat !== null ? (cat as Record<string, unknown>).primary : cat);
    const amount = Number(rec.amount ?? -1);
    if (typeof description === 'string' && typeof primary === 'string') {
      cases.push({
        description,
        amount: Number.isFinite(amount) ? amount : -1,
        primary: primary.toUpperCase(),
      });
    }
  };
  for (const file of readdirSync(dir)) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    if (file.endsWith('.jsonl')) {
      for (const line of text.split('\n')) if (line.trim()) take(JSON.parse(line) as Record<string, unknown>);
    } else if (file.endsWith('.json')) {
      const data = JSON.parse(text) as unknown;
      for (const rec of Array.isArray(data) ? data : []) take(rec as Record<string, unknown>);
    } else if (file.endsWith('.csv')) {
      const [head = '', ...lines] = text.split(/\r?\n/);
      const cols = head.split(',').map((c) => c.trim().toLowerCase());
      for (const line of lines) {
        if (!line.trim()) continue;
        const cells =
          line
            .match(/("([^"]|"")*"|[^,]*)(,|$)/g)
            ?.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"')) ?? [];
        take(Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? ''])));
      }
    }
  }
  return { found: true, cases };
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

      const real = realWorldCases();
      if (!real.found) {
        console.error('categorization: no ../shared/data/ beside the checkout: no real-world figures');
        figures.push({ name: 'categorization real-world labelled descriptions', value: 0, unit: 'count' });
      } else {
        const given = real.cases
          .map((c) => ({
            c,
            r: categorize({
              description: c.description,
              merchantName: null,
              amountMinor: Math.round(c.amount * 100),
              currency: 'USD',
              accountId: '',
            }),
          }))
          .filter((x) => x.r !== null);
        const right = given.filter((x) => x.r?.primary === x.c.primary).length;
        figures.push(
          {
            name: 'categorization real-world labelled descriptions',
            value: real.cases.length,
            unit: 'count',
          },
          {
            name: 'categorization real-world precision (primary)',
            value: pct(given.length ? right / given.length : 0),
            unit: '%',
          },
          {
            name: 'categorization real-world coverage',
            value: pct(real.cases.length ? given.length / real.cases.length : 0),
            unit: '%',
          },
        );
      }
      return figures;
    },
  },
];
