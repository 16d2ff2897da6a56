import { bankCDialect } from '../../shared/banks/bank_c/server';
import { bankLambda } from '../../shared/banks/kit/lambda';

/** The mock bank bank_c: OAuth server, consent page, data API and admin routes under /mock-banks/bank_c/. */
export const handler = bankLambda(bankCDialect);
