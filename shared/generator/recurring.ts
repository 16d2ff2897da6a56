/**
 * The plan of recurring items: what is due on which day of the period (the agenda in UserContext), made before the
 * first day. Income is in income.ts, money management in money-management.ts, trips in trips.ts; this module plans
 * the bills and subscriptions and calls the others in a fixed order.
 */
import { drawAmount, fixedAmount } from './amounts';
import { monthly, on } from './calendar';
import { chainMerchants, inMetro, REGIONS } from './merchants';
import type { UserContext } from './context';
import { planIncome } from './income';
import { billPool, subscriptionPool } from './merchant-pools';
import { planMoneyManagement } from './money-management';
import { bill } from './payments';
import { subscriptionCharge } from './purchases';
import { civilFromDays } from './time';
import { planTrip } from './trips';

/**
 * Plans every recurring item before the first day, in this order (the order of the draws): income, bills,
 * subscriptions, money management, trips.
 */
export function planRecurring(g: UserContext): void {
  planIncome(g);
  planBills(g);
  planSubscriptions(g);
  planMoneyManagement(g);
  // Trips: flights booked ahead, stays and cars paid at the end.
  for (const trip of g.trips) planTrip(g, trip);
}

/** Housing, utilities (seasonal energy), council tax and TV licence, insurance, loans, childcare, tuition. */
export function planBills(g: UserContext): void {
  const rng = g.rng;
  const p = g.persona;
  const home = g.lives[g.home];
  const homeInfo = home.info;
  // Housing.
  if (p === 'family') {
    const m = rng.pick(billPool(g, home, 'LOAN_PAYMENTS_MORTGAGE_PAYMENT'));
    const amount = fixedAmount(g, m, 1);
    for (const d of monthly(g, 1, 'forward')) on(g, d, () => bill(g, home, m, d, amount, 'mortgage'));
  } else {
    const pool = billPool(g, home, 'RENT_AND_UTILITIES_RENT');
    const m = rng.pick(pool);
    const amount = fixedAmount(g, m, p === 'student' ? 0.5 : 1);
    for (const d of monthly(g, 1, 'none')) on(g, d, () => bill(g, home, m, d, amount, 'rent'));
  }

  // Utilities at home.
  const energy = billPool(g, home, 'RENT_AND_UTILITIES_GAS_AND_ELECTRICITY');
  if (energy.length) {
    const m = rng.pick(energy);
    const dom = rng.int(5, 25);
    for (const d of monthly(g, dom, 'forward')) {
      on(g, d, () => {
        const month = civilFromDays(g.o.startDays + d).month;
        const season = homeInfo.energySeason[month - 1] as number;
        const scale = (p === 'family' ? 1.5 : p === 'student' ? 0.7 : 1) * season;
        bill(g, home, m, d, drawAmount(g, m, scale, d), 'utility');
      });
    }
  }
  for (const [cat, chance] of [
    ['RENT_AND_UTILITIES_INTERNET_AND_CABLE', 0.95],
    ['RENT_AND_UTILITIES_TELEPHONE', 1],
    ['RENT_AND_UTILITIES_WATER', p === 'family' ? 0.9 : 0.35],
    ['RENT_AND_UTILITIES_SEWAGE_AND_WASTE_MANAGEMENT', p === 'family' ? 0.7 : 0],
  ] as const) {
    const pool = billPool(g, home, cat);
    if (!pool.length || !rng.chance(chance)) continue;
    const m = rng.pick(pool);
    const dom = rng.int(3, 27);
    const onCard = cat === 'RENT_AND_UTILITIES_TELEPHONE' && homeInfo.card !== null && rng.chance(0.4);
    for (const d of monthly(g, dom, 'forward')) {
      on(g, d, () => {
        const amount = drawAmount(g, m, p === 'family' ? 1.4 : 1, d);
        if (onCard) subscriptionCharge(g, home, m, d, amount, 'telecom');
        else bill(g, home, m, d, amount, cat === 'RENT_AND_UTILITIES_WATER' ? 'utility' : 'telecom');
      });
    }
  }
  if (g.home === 'GB') {
    const tax = billPool(g, home, 'GOVERNMENT_AND_NON_PROFIT_TAX_PAYMENT').filter((m) => m.metros !== null);
    if (tax.length) {
      const m = rng.pick(tax);
      const amount = fixedAmount(g, m, 1);
      for (const d of monthly(g, 1, 'forward', [4, 5, 6, 7, 8, 9, 10, 11, 12, 1])) {
        on(g, d, () => bill(g, home, m, d, amount, 'tax'));
      }
    }
    const tv = billPool(g, home, 'GOVERNMENT_AND_NON_PROFIT_GOVERNMENT_DEPARTMENTS_AND_AGENCIES').filter(
      (m) => m.bill,
    );
    if (tv.length && rng.chance(0.7)) {
      const m = rng.pick(tv);
      for (const d of monthly(g, rng.int(1, 28), 'forward'))
        on(g, d, () => bill(g, home, m, d, fixedAmount(g, m, 1), 'tax'));
    }
  }
  if (g.home === 'IN' && p !== 'student') {
    const maint = billPool(g, home, 'RENT_AND_UTILITIES_OTHER_UTILITIES');
    if (maint.length) {
      const m = rng.pick(maint);
      for (const d of monthly(g, rng.int(1, 10), 'none'))
        on(g, d, () => bill(g, home, m, d, fixedAmount(g, m, 1), 'utility'));
    }
  }

  // Insurance, loans, childcare, tuition.
  const insurance = billPool(g, home, 'GENERAL_SERVICES_INSURANCE');
  const insuranceCount = (g.traits.car ? 1 : 0) + (p === 'family' ? 1 : 0) + (p === 'freelancer' ? 1 : 0);
  for (const m of rng.shuffle(insurance).slice(0, insuranceCount)) {
    const amount = fixedAmount(g, m, 1);
    for (const d of monthly(g, rng.int(1, 28), 'forward'))
      on(g, d, () => bill(g, home, m, d, amount, 'insurance'));
  }
  const loans: [string, number][] = [
    ['LOAN_PAYMENTS_CAR_PAYMENT', g.traits.car ? 0.55 : 0],
    ['LOAN_PAYMENTS_STUDENT_LOAN_PAYMENT', p === 'salaried' ? 0.45 : p === 'freelancer' ? 0.3 : 0],
    ['LOAN_PAYMENTS_PERSONAL_LOAN_PAYMENT', 0.15],
  ];
  for (const [cat, chance] of loans) {
    const pool = billPool(g, home, cat).filter((m) => !m.online);
    if (!pool.length || !rng.chance(chance)) continue;
    const m = rng.pick(pool);
    const amount = fixedAmount(g, m, 1);
    for (const d of monthly(g, rng.int(1, 28), 'forward'))
      on(g, d, () => bill(g, home, m, d, amount, 'loan'));
  }
  if (p === 'family') {
    const pool = billPool(g, home, 'GENERAL_SERVICES_CHILDCARE').filter((m) => m.bill);
    if (pool.length) {
      const m = rng.pick(pool);
      const amount = fixedAmount(g, m, 1);
      for (const d of monthly(g, 1, 'forward')) on(g, d, () => bill(g, home, m, d, amount, 'childcare'));
    }
  }
  if (p === 'student') {
    const pool = billPool(g, home, 'GENERAL_SERVICES_EDUCATION').filter((m) => m.bill && m.metros !== null);
    const tuition = pool.find((m) => inMetro(m, home.metro.tag)) ?? pool[0];
    if (tuition) {
      const amount = fixedAmount(g, tuition, 1);
      for (const d of monthly(g, 15, 'forward', [1, 2, 3, 4, 5, 8, 9, 10, 11, 12])) {
        on(g, d, () => bill(g, home, tuition, d, amount, 'tuition'));
      }
    }
  }
}

/** Subscriptions (and a gym membership), at home and a few abroad; prices rise once during the period. */
export function planSubscriptions(g: UserContext): void {
  const rng = g.rng;
  const p = g.persona;
  for (const region of REGIONS) {
    const life = g.lives[region];
    const count = life.home
      ? p === 'student'
        ? rng.int(2, 4)
        : p === 'family'
          ? rng.int(4, 7)
          : rng.int(3, 6)
      : rng.int(0, 2);
    const subs = subscriptionPool(g, life);
    for (const m of rng.shuffle(subs).slice(0, count)) {
      const dom = rng.int(1, 28);
      for (const d of monthly(g, dom, 'none'))
        on(g, d, () => subscriptionCharge(g, life, m, d, drawAmount(g, m, 1, d), 'subscription'));
    }
    if (life.home && rng.chance(0.45)) {
      const gyms = chainMerchants(region, 'PERSONAL_CARE_GYMS_AND_FITNESS_CENTERS').filter(
        (m) => m.subscription && !m.online && inMetro(m, life.metro.tag),
      );
      if (gyms.length) {
        const m = rng.pick(gyms);
        const dom = rng.int(1, 28);
        for (const d of monthly(g, dom, 'none'))
          on(g, d, () => subscriptionCharge(g, life, m, d, drawAmount(g, m, 1, d), 'subscription'));
      }
    }
  }
}
