import { bankADialect } from '../../shared/banks/bank_a/server';
import { bankLambda } from '../../shared/banks/kit/lambda';

/** The mock bank bank_a: OAuth server, consent page, data API and admin routes under /mock-banks/bank_a/. */
export const handler = bankLambda(bankADialect);
