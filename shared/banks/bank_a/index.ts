import type { BankModule } from '../kit/bank-module';
import { BankAClient } from './client';
import { bankADialect } from './server';
import { BANK_A, BankAAccountSchema, BankATransactionSchema } from './wire';

export const bank_a: BankModule = {
  protocol: BANK_A,
  dialect: bankADialect,
  createClient: (opts) => new BankAClient(opts),
  wire: { account: BankAAccountSchema, transaction: BankATransactionSchema },
};
