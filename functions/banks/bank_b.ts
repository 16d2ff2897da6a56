import { bankBDialect } from '../../shared/banks/bank_b/server';
import { bankLambda } from '../../shared/banks/kit/lambda';

/** The mock bank bank_b: OAuth server, consent page, data API and admin routes under /mock-banks/bank_b/. */
export const handler = bankLambda(bankBDialect);
