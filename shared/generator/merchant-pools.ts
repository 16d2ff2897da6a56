/**
 * Which merchant: pools of chains (per country, category and metro), local shops, billers and subscriptions, and the
 * user's regulars (chosen once per habit and category, used with Zipf weights; more exploring on trips).
 */
import { chainMerchants, inMetro, type Merchant } from './merchants';
import type { Life, Loc, UserContext } from './context';
import type { Habit } from './personas';

/** Chains of a category in a metro that a habit can visit (no subscriptions, billers or unusual shops). */
export function chainPool(g: UserContext, life: Life, cat: string, metroTag: string): Merchant[] {
  const key = `c|${cat}|${metroTag}`;
  let pool = life.pools.get(key);
  if (!pool) {
    pool = chainMerchants(life.region, cat).filter(
      (m) => !m.subscription && !m.bill && !m.unusual && inMetro(m, metroTag),
    );
    life.pools.set(key, pool);
  }
  return pool;
}

/** A habit's chains and local shops, and the share of visits that go to local shops. */
function habitPool(
  g: UserContext,
  life: Life,
  cat: string,
  metroTag: string,
  localShare: number,
): { chains: Merchant[]; locals: Merchant[]; share: number } {
  const chains = chainPool(g, life, cat, metroTag);
  const locals = metroTag === life.metro.tag ? (life.locals.get(cat) ?? []) : [];
  return { chains, locals, share: locals.length ? (chains.length ? localShare : 1) : 0 };
}

/** Billers and subscriptions of a category that serve the metro of a life. */
export function billPool(g: UserContext, life: Life, cat: string): Merchant[] {
  return chainMerchants(life.region, cat).filter(
    (m) => (m.bill || m.subscription) && !m.unusual && inMetro(m, life.metro.tag),
  );
}

/** Online subscriptions in a country (and accounting software for a freelancer at home). */
export function subscriptionPool(g: UserContext, life: Life): Merchant[] {
  const out: Merchant[] = [];
  for (const cat of [
    'ENTERTAINMENT_TV_AND_MOVIES',
    'ENTERTAINMENT_MUSIC_AND_AUDIO',
    'ENTERTAINMENT_VIDEO_GAMES',
    'GENERAL_SERVICES_OTHER_GENERAL_SERVICES',
    'PERSONAL_CARE_OTHER_PERSONAL_CARE',
    'GENERAL_MERCHANDISE_BOOKSTORES_AND_NEWSSTANDS',
    'HOME_IMPROVEMENT_SECURITY',
    'GENERAL_SERVICES_EDUCATION',
  ]) {
    for (const m of chainMerchants(life.region, cat)) if (m.subscription && m.online && !m.bill) out.push(m);
  }
  if (g.persona === 'freelancer' && life.home) {
    for (const m of chainMerchants(life.region, 'GENERAL_SERVICES_ACCOUNTING_AND_FINANCIAL_PLANNING'))
      if (m.subscription) out.push(m);
  }
  return out;
}

/** The user's regular merchants for a habit and category (chosen once, Zipf-weighted use). */
export function favorite(
  g: UserContext,
  life: Life,
  pattern: string,
  cat: string,
  pool: readonly Merchant[],
  count: number,
): Merchant {
  const key = `${pattern}|${cat}`;
  let favs = life.favorites.get(key);
  if (!favs) {
    favs = g.rng.shuffle(pool).slice(0, Math.max(1, count));
    life.favorites.set(key, favs);
  }
  const weights = favs.map((_, i) => 1 / (i + 1));
  return favs[g.rng.weighted(weights)] as Merchant;
}

/** The merchant of a habit's purchase: a regular (Zipf-weighted) or, sometimes, somewhere new. */
export function pickMerchant(
  g: UserContext,
  life: Life,
  habit: Habit,
  cat: string,
  loc: Loc,
): Merchant | null {
  const rng = g.rng;
  const onTrip = loc.trip !== null && loc.region === life.region;
  const metroTag = onTrip ? loc.metro.tag : life.metro.tag;
  const { chains, locals, share } = habitPool(g, life, cat, metroTag, habit.local);
  if (!chains.length && !locals.length) return null;
  const explore = onTrip ? 0.5 : habit.explore;
  if (rng.chance(explore)) {
    if (locals.length && rng.chance(share)) return rng.pick(locals);
    return chains.length ? rng.pick(chains) : rng.pick(locals);
  }
  const key = `${habit.pattern}|${cat}|${onTrip ? metroTag : ''}`;
  let favs = life.favorites.get(key);
  if (!favs) {
    favs = [];
    const n = Math.max(1, habit.favorites);
    const localN = Math.round(n * share);
    favs.push(...rng.shuffle(locals).slice(0, localN));
    favs.push(...rng.shuffle(chains).slice(0, n - Math.min(localN, locals.length)));
    if (!favs.length) favs.push(...(chains.length ? chains : locals).slice(0, 1));
    favs = rng.shuffle(favs);
    life.favorites.set(key, favs);
  }
  const weights = favs.map((_, i) => 1 / (i + 1));
  return favs[rng.weighted(weights)] as Merchant;
}
