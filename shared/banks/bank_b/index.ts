import type { BankModule } from '../kit/bank-module';
import { BankBClient } from './client';
import { bankBDialect } from './server';
import { BANK_B, BankBAccountSchema, BankBTransactionSchema } from './wire';

export const bank_b: BankModule = {
  protocol: BANK_B,
  dialect: bankBDialect,
  createClient: (opts) => new BankBClient(opts),
  wire: { account: BankBAccountSchema, transaction: BankBTransactionSchema },
};
