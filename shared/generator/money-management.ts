/**
 * Money management: what is planned (card payments, interest, remittances, investments, fees) and what each day's
 * balances call for at its end (top-ups from savings or another country, sweeps to savings, overdraft fees).
 */
import { drawAmount } from './amounts';
import { monthly, on, sec } from './calendar';
import { inMetro, REGIONS } from './merchants';
import type { UserContext } from './context';
import { commit } from './ledger';
import { billPool } from './merchant-pools';
import { bill, fee, income, investment } from './payments';
import { convert, REGION_INFO, Slot, SLOTS } from './regions';
import { civilFromDays } from './time';
import { transfer } from './transfers';

/** `monthly(g, MONTH_END)`: the last day of each month. */
const MONTH_END = 31;

/**
 * Per country: card statements and their payment three weeks later, interest, funding of the account abroad by
 * remittances (and the family's bills in India), investments, monthly and annual fees.
 */
export function planMoneyManagement(g: UserContext): void {
  const rng = g.rng;
  const p = g.persona;
  const home = g.lives[g.home];
  const homeInfo = home.info;
  for (const region of REGIONS) {
    const life = g.lives[region];
    const info = life.info;
    if (info.card !== null) {
      const card = info.card;
      const statementDom = rng.int(2, 26);
      for (const d of monthly(g, statementDom, 'none')) {
        on(g, d, () => {
          g.statementOwed[card] = Math.max(0, -(g.balances[card] as number));
        });
        on(g, d + 21, () => {
          const owed = g.statementOwed[card] as number;
          if (owed > 0) transfer(g, info.dep, card, owed, d + 21, 'cc_payment');
        });
      }
    }
    if (info.savings !== null) {
      const savings = info.savings;
      for (const d of monthly(g, MONTH_END, 'none')) {
        on(g, d, () => {
          const interest = Math.floor(
            ((g.balances[savings] as number) * (region === 'US' ? 35 : 40)) / 12_000,
          );
          if (interest > 0) income(g, life, savings, d, interest, 'INCOME_INTEREST_EARNED', null, 'interest');
        });
      }
    }
    if (region === 'IN') {
      for (const d of monthly(g, MONTH_END, 'none', [3, 6, 9, 12])) {
        on(g, d, () => {
          const interest = Math.floor(((g.balances[info.dep] as number) * 30) / 4_000);
          if (interest > 0)
            income(g, life, info.dep, d, interest, 'INCOME_INTEREST_EARNED', null, 'interest');
          fee(g, life, info.dep, d, 1770, 'BANK_FEES_OTHER_BANK_FEES', 'sms_charges');
        });
      }
    }
    if (!life.home) {
      // Funding of the account abroad (family support, bills there): a remittance from home when it runs low.
      const dom = rng.int(2, 10);
      for (const d of monthly(g, dom, 'forward')) {
        on(g, d, () => {
          if ((g.balances[info.dep] as number) >= info.floor * 6) return;
          const amount = info.floor * g.rng.int(3, 6);
          transfer(
            g,
            homeInfo.dep,
            info.dep,
            convert(amount, info.currency, homeInfo.currency, d),
            d,
            'remittance',
          );
        });
      }
      if (region === 'IN' && p !== 'student') {
        const energyIn = billPool(g, life, 'RENT_AND_UTILITIES_GAS_AND_ELECTRICITY').filter(
          (m) => !m.metros || inMetro(m, life.metro.tag),
        );
        if (energyIn.length) {
          const m = rng.pick(energyIn);
          for (const d of monthly(g, rng.int(5, 20), 'forward')) {
            on(g, d, () =>
              bill(
                g,
                life,
                m,
                d,
                drawAmount(
                  g,
                  m,
                  REGION_INFO.IN.energySeason[civilFromDays(g.o.startDays + d).month - 1] as number,
                  d,
                ),
                'family_bill',
              ),
            );
          }
        }
        const phone = billPool(g, life, 'RENT_AND_UTILITIES_TELEPHONE');
        if (phone.length) {
          const m = rng.pick(phone);
          for (const d of monthly(g, rng.int(1, 28), 'none'))
            on(g, d, () => bill(g, life, m, d, drawAmount(g, m, 1, d), 'family_bill'));
        }
      }
    }
    // Investments (not own accounts in this universe): a monthly SIP / brokerage transfer.
    if (life.home && p !== 'student' && rng.chance(0.6)) {
      const broker =
        region === 'US'
          ? rng.pick(['ROBINHOOD', 'FIDELITY', 'VANGUARD', 'BETTERMENT'])
          : region === 'GB'
            ? rng.pick(['VANGUARD UK', 'TRADING 212', 'HARGREAVES LANSDOWN'])
            : rng.pick(['ZERODHA BROKING', 'GROWW', 'HDFC MUTUAL FUND']);
      const amount = info.floor * rng.int(1, 4);
      for (const d of monthly(g, rng.int(3, 12), 'forward'))
        on(g, d, () => investment(g, life, d, amount, broker));
    }
    // Fees.
    if (region === 'US') {
      for (const d of monthly(g, 1, 'none')) {
        on(g, d, () => {
          if ((g.balances[Slot.A_CHK] as number) < 150_000)
            fee(g, life, Slot.A_CHK, d, 1200, 'BANK_FEES_OTHER_BANK_FEES', 'service_fee');
        });
      }
      const annual = rng.int(0, 364);
      on(g, annual, () => fee(g, life, Slot.A_CARD, annual, 9500, 'BANK_FEES_OTHER_BANK_FEES', 'annual_fee'));
    }
    if (region === 'IN') {
      const annual = rng.int(0, 364);
      on(g, annual, () => {
        fee(g, life, Slot.C_CARD, annual, 49_900, 'BANK_FEES_OTHER_BANK_FEES', 'annual_fee');
        fee(g, life, Slot.C_CARD, annual, 8_982, 'BANK_FEES_OTHER_BANK_FEES', 'gst_on_fee');
      });
    }
  }
}

/** End of day: keep everyday accounts funded, sweep surpluses, charge overdrafts. */
export function treasury(g: UserContext, d: number): void {
  g.buffer = [];
  for (const region of REGIONS) {
    const info = REGION_INFO[region];
    const dep = info.dep;
    const bal = g.balances[dep] as number;
    const life = g.lives[region];
    if (bal < info.floor) {
      const need = info.floor * 3 - bal;
      if (info.savings !== null && (g.balances[info.savings] as number) >= need + info.floor) {
        transfer(g, info.savings, dep, need, d, 'top_up', sec(g, [[20, 23]]));
      } else {
        let best: Slot | null = null;
        let bestAvail = 0;
        for (const s of SLOTS) {
          if (s.region === region || s.type !== 'depository') continue;
          const sInfo = REGION_INFO[s.region];
          const avail = (g.balances[s.slot] as number) - 2 * sInfo.floor;
          const availHere = convert(Math.max(0, avail), sInfo.currency, info.currency, d);
          if (availHere >= need && availHere > bestAvail) {
            best = s.slot;
            bestAvail = availHere;
          }
        }
        if (best !== null) {
          const sInfo = REGION_INFO[SLOTS[best]?.region ?? 'US'];
          transfer(
            g,
            best,
            dep,
            convert(need, info.currency, sInfo.currency, d) + 1,
            d,
            'top_up',
            sec(g, [[20, 23]]),
          );
        } else if (bal < 0 && region !== 'IN' && d - g.lastOverdraftDay >= 7) {
          g.lastOverdraftDay = d;
          fee(g, life, dep, d, region === 'US' ? 3400 : 500, 'BANK_FEES_OVERDRAFT_FEES', 'overdraft');
        }
      }
    } else if (life.home && info.savings !== null && bal > info.floor * 20 && g.rng.chance(0.25)) {
      const sweep = Math.floor((bal - info.floor * 10) / 10_000) * 10_000;
      if (sweep > 0) transfer(g, dep, info.savings, sweep, d, 'savings', sec(g, [[20, 23]]));
    }
  }
  const buffer = g.buffer;
  buffer.sort((a, b) => a.ms - b.ms || a.n - b.n);
  for (const it of buffer) commit(g, it, d);
  g.buffer = [];
}
