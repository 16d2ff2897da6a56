import type { ScriptedUser } from '../../shared/banks/kit/scripted';

/** A month of a salaried life: salary, rent, a duplicate charge, a spike, a pending that posts, a correction. */
export const SCENARIO: ScriptedUser = {
  override_accounts: [
    {
      type: 'depository',
      subtype: 'checking',
      starting_balance: 1000,
      meta: { name: 'Everyday', mask: '4321' },
      transactions: [
        { day: -30, amount: -3000, description: 'ACME CORP PAYROLL' },
        { day: -29, amount: 1200, description: 'RENT MAPLE APARTMENTS' },
        { day: -10, amount: 15.5, description: 'STREAMFLIX' },
        { day: -10, amount: 15.5, description: 'STREAMFLIX' },
        { day: -5, amount: 900, description: 'GADGET WORLD', merchant: 'Gadget World' },
        { day: -1, amount: 42, description: 'CORNER CAFE', pending: true, posts_on: 1, posted_amount: 48.3 },
        {
          day: -3,
          amount: 60,
          description: 'FUEL STOP 12',
          corrections: [{ on_day: 2, amount: 65, description: 'FUEL STOP #12' }],
        },
        { day: -2, amount: 20, description: 'PARKING', removed_on: 3 },
      ],
    },
  ],
};
