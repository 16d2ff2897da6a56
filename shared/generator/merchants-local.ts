/**
 * Local merchants: independent shops named per user from word lists (merchants-local-us/gb/in.ts), different for
 * every user and seed, so every universe has merchants no categorization rule was written from.
 */
import { type Amount, deriveVpa, type Merchant, type Region } from './merchants';
import { GB_LOCAL, GB_PREFIXES } from './merchants-local-gb';
import { IN_LOCAL, IN_PREFIXES } from './merchants-local-in';
import { US_LOCAL, US_PREFIXES } from './merchants-local-us';
import type { Rng } from './prng';

export interface LocalSpec {
  detailed: string;
  words: readonly string[];
  /** Median range (major units) of the shop's typical ticket; menus for habitual shops. */
  median: readonly [number, number];
  sigma: number;
  flags: string;
  /** Processor prefixes the shop's card descriptor may use ('' = none). */
  processors: readonly string[];
}

const LOCAL_SPECS: Record<Region, { prefixes: readonly string[]; specs: readonly LocalSpec[] }> = {
  US: { prefixes: US_PREFIXES, specs: US_LOCAL },
  GB: { prefixes: GB_PREFIXES, specs: GB_LOCAL },
  IN: { prefixes: IN_PREFIXES, specs: IN_LOCAL },
};

function titleCase(upper: string): string {
  let out = '';
  let start = true;
  for (let i = 0; i < upper.length; i++) {
    const ch = upper.charAt(i);
    out += start ? ch : ch.toLowerCase();
    start = ch === ' ' || ch === '&' || ch === '-';
  }
  return out;
}

/** Round a major-unit price to a realistic menu price in minor units. */
function menuPrice(major: number, region: Region): number {
  if (region === 'IN') return Math.round(major / 5) * 500;
  return Math.round(major * 4) * 25;
}

/**
 * Local merchants of a region for one user: `perSpec` shops for each local category, named from the region's
 * word lists, unique within the user. Deterministic for the rng's state.
 */
export function makeLocalMerchants(region: Region, rng: Rng, perSpec: number): Merchant[] {
  const { prefixes, specs } = LOCAL_SPECS[region];
  const out: Merchant[] = [];
  const used = new Set<string>();
  for (const spec of specs) {
    for (let i = 0; i < perSpec; i++) {
      let upper = '';
      for (let attempt = 0; attempt < 8; attempt++) {
        upper = `${rng.pick(prefixes)} ${rng.pick(spec.words)}`;
        if (!used.has(upper)) break;
      }
      if (used.has(upper)) continue;
      used.add(upper);
      const processor = rng.pick(spec.processors);
      const descriptor = processor ? `${processor}${upper}` : upper;
      const median = spec.median[0] + rng.next() * (spec.median[1] - spec.median[0]);
      let amount: Amount;
      if (spec.sigma === 0) {
        const base = menuPrice(median, region);
        const step = region === 'IN' ? 1000 : 75;
        amount = { kind: 'menu', prices: [base, base + step, base + 2 * step] };
      } else {
        amount = { kind: 'log', median: Math.round(median * 100), sigma: spec.sigma };
      }
      const name = titleCase(upper);
      out.push({
        key: `${region}:local:${name}`,
        name,
        region,
        detailed: spec.detailed,
        templates: [[descriptor]],
        amount,
        online: false,
        tipped: spec.flags.includes('t'),
        fuel: false,
        hold: false,
        refundable: false,
        subscription: false,
        quick: spec.flags.includes('q'),
        bill: false,
        unusual: false,
        local: true,
        metros: null,
        vpa:
          region === 'IN'
            ? rng.chance(0.5)
              ? `paytmqr${rng.digits(10)}${rng.alnum(4).toLowerCase()}@paytm`
              : `q${rng.digits(9)}@ybl`
            : deriveVpa(name),
      });
    }
  }
  return out;
}

/** Local categories of a region (those local merchants exist for). */
export function localCategories(region: Region): readonly string[] {
  return LOCAL_SPECS[region].specs.map((s) => s.detailed);
}
