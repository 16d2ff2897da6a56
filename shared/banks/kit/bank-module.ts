import type { ZodType } from 'zod';
import type { ClientOptions } from './client';
import type { BankDialect, BankProtocol } from './dialect';
import type { ProviderClient } from './provider';

/** Everything one bank folder contributes; the registry lists these, one line each. */
export interface BankModule {
  protocol: BankProtocol;
  /** The mock bank's server side (served by functions/banks/<id>.ts). */
  dialect: BankDialect;
  createClient(opts?: ClientOptions): ProviderClient;
  /** The bank's wire schemas for one record, for its normalizer. */
  wire: { account: ZodType; transaction: ZodType };
}
