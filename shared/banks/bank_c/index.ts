import type { BankModule } from '../kit/bank-module';
import { BankCClient } from './client';
import { bankCDialect } from './server';
import { BANK_C, BankCAccountSchema, BankCTransactionSchema } from './wire';

export const bank_c: BankModule = {
  protocol: BANK_C,
  dialect: bankCDialect,
  createClient: (opts) => new BankCClient(opts),
  wire: { account: BankCAccountSchema, transaction: BankCTransactionSchema },
};
