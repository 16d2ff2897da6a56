/**
 * The plan of the user's income, by persona: salaries (US biweekly, UK/India monthly, a raise in April, a bonus),
 * a second earner in a family, a student's part-time job, parents' support and student loans, a freelancer's
 * payouts, client invoices and quarterly taxes, and a tax refund in season.
 */
import { clamp, drawAmount } from './amounts';
import { everyNDays, monthly, on } from './calendar';
import type { UserContext } from './context';
import { billPool } from './merchant-pools';
import { bill, income } from './payments';
import { EMPLOYERS, FIRST_NAMES, LAST_NAMES, UNIVERSITIES } from './names';
import { weekday } from './time';
import { p2pIn } from './transfers';

/** Plans the income of the user's persona at home (see the module comment). */
export function planIncome(g: UserContext): void {
  const rng = g.rng;
  const p = g.persona;
  const home = g.lives[g.home];
  const region = g.home;
  const employer = rng.pick(EMPLOYERS[region]);
  const salaryAt = (d: number, amount: number, who: string, pattern: string) =>
    income(g, home, home.info.dep, d, amount, 'INCOME_WAGES', who, pattern);
  const raiseDay = monthly(g, 1, 'none', [4])[0] ?? Number.MAX_SAFE_INTEGER;
  if (p === 'salaried' || p === 'family') {
    if (region === 'US') {
      const base = rng.int(p === 'family' ? 3000 : 2400, p === 'family' ? 5200 : 4600) * 100 + rng.int(0, 99);
      const firstFriday = ((5 - weekday(g.o.startDays) + 7) % 7) + rng.pick([0, 7]);
      for (const d of everyNDays(g, firstFriday, 14)) {
        on(g, d, () => salaryAt(d, d >= raiseDay ? Math.round(base * 1.04) : base, employer, 'salary'));
      }
    } else {
      const base =
        region === 'GB'
          ? rng.int(p === 'family' ? 2800 : 2300, p === 'family' ? 4800 : 4200) * 100
          : rng.int(p === 'family' ? 110 : 85, p === 'family' ? 260 : 240) * 100_000;
      for (const d of monthly(g, region === 'GB' ? 25 : 31, 'back')) {
        on(g, d, () => salaryAt(d, d >= raiseDay ? Math.round(base * 1.05) : base, employer, 'salary'));
      }
    }
    if (p === 'family') {
      const second = rng.pick(EMPLOYERS[region].filter((e) => e !== employer));
      const base = region === 'IN' ? rng.int(40, 90) * 100_000 : rng.int(1200, 2400) * 100;
      for (const d of [...monthly(g, 15, 'back'), ...monthly(g, 31, 'back')].sort((a, b) => a - b)) {
        on(g, d, () => salaryAt(d, base, second, 'salary'));
      }
    }
    const bonusDay = monthly(g, 15, 'back', [3])[0];
    if (bonusDay !== undefined && rng.chance(0.6)) {
      const amount = region === 'IN' ? rng.int(100, 300) * 100_000 : rng.int(2000, 8000) * 100;
      on(g, bonusDay, () => salaryAt(bonusDay, amount, employer, 'bonus'));
    }
  } else if (p === 'student') {
    const [campus, job] = rng.pick(UNIVERSITIES[region]) as readonly [string, string];
    const base = region === 'IN' ? rng.int(8, 15) * 100_000 : rng.int(300, 700) * 100;
    const schedule =
      region === 'US' ? everyNDays(g, rng.int(0, 13), 14) : monthly(g, region === 'GB' ? 25 : 1, 'back');
    for (const d of schedule) {
      on(g, d, () => income(g, home, home.info.dep, d, base, 'INCOME_WAGES', job, 'part_time', campus));
    }
    // Parents' support (not the user's own account).
    const parent = `${rng.pick(FIRST_NAMES[region])} ${rng.pick(LAST_NAMES[region])}`.toUpperCase();
    const support = region === 'IN' ? rng.int(8, 20) * 100_000 : rng.int(400, 1200) * 100;
    for (const d of monthly(g, rng.int(1, 5), 'forward'))
      on(g, d, () => p2pIn(g, home, d, support, parent, 'parents'));
    if (region !== 'IN') {
      for (const d of monthly(
        g,
        region === 'US' ? 20 : 25,
        'forward',
        region === 'US' ? [1, 8] : [1, 4, 9],
      )) {
        const amount = region === 'US' ? rng.int(2500, 5500) * 100 : rng.int(1800, 3200) * 100;
        on(g, d, () =>
          income(
            g,
            home,
            home.info.dep,
            d,
            amount,
            'TRANSFER_IN_CASH_ADVANCES_AND_LOANS',
            null,
            'student_loan',
          ),
        );
      }
    }
  } else {
    // Freelancer: payouts from a payments platform on some days, client invoices, quarterly taxes.
    const platform = region === 'IN' ? 'RAZORPAY' : 'STRIPE';
    const median = region === 'IN' ? 4_500_000 : region === 'GB' ? 52_000 : 65_000;
    for (let d = 1; d < g.o.days; d++) {
      const wd = weekday(g.o.startDays + d);
      if (wd === 0 || wd === 6) continue;
      if (!rng.chance(0.3)) continue;
      const amount = Math.round(median * Math.exp(0.6 * clamp(rng.normal(), -2, 2)));
      on(g, d, () => income(g, home, home.info.dep, d, amount, 'INCOME_WAGES', platform, 'freelance_payout'));
    }
    const clients = rng.shuffle(EMPLOYERS[region]).slice(0, 2);
    for (const client of clients) {
      const amount = region === 'IN' ? rng.int(60, 180) * 100_000 : rng.int(1500, 6000) * 100;
      for (const d of monthly(g, rng.int(1, 28), 'forward')) {
        on(g, d, () => {
          if (g.rng.chance(0.8)) income(g, home, home.info.dep, d, amount, 'INCOME_WAGES', client, 'invoice');
        });
      }
    }
    const taxes = billPool(g, home, 'GOVERNMENT_AND_NON_PROFIT_TAX_PAYMENT').filter((m) => m.metros === null);
    const taxMerchant = taxes[0];
    if (taxMerchant) {
      const months = region === 'US' ? [1, 4, 6, 9] : region === 'GB' ? [1, 7] : [3, 6, 9, 12];
      for (const d of monthly(g, region === 'GB' ? 31 : 15, 'forward', months)) {
        on(g, d, () => bill(g, home, taxMerchant, d, drawAmount(g, taxMerchant, 1, d), 'tax'));
      }
    }
  }
  // A tax refund in season.
  const refundMonths = region === 'US' ? [3, 4] : region === 'GB' ? [7, 8] : [9, 10, 11];
  const refundDays = monthly(g, rng.int(5, 25), 'forward', refundMonths);
  const refundDay = refundDays[0];
  if (refundDay !== undefined && rng.chance(0.6)) {
    const amount = region === 'IN' ? rng.int(20, 300) * 10_000 : rng.int(300, 2500) * 100;
    on(g, refundDay, () =>
      income(
        g,
        home,
        home.info.dep,
        refundDay,
        amount,
        'INCOME_TAX_REFUND',
        region === 'US' ? 'IRS' : region === 'GB' ? 'HMRC' : 'Income Tax Department',
        'tax_refund',
      ),
    );
  }
}
