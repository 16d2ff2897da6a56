import { formatDecimal } from '../money';
import type { Account, Connection } from '../models';
import { plaidErrorObject, type PlaidErrorCode, type PlaidErrorObject, PLAID_ERROR_CODES } from './errors';
import type { PlaidItem } from './models';

/**
 * finagg's accounts and items in Plaid's shapes. A Plaid `account_id` is finagg's account id (so transactions,
 * which name it, line up). Amounts on this surface are JSON numbers of major units, as Plaid sends them, made from
 * the decimal string of the minor units (no float arithmetic on money). Balances keep their meaning: finagg's
 * deposit balances have the natural sign and credit balances are the amount owed, positive, as Plaid's are.
 */

/** Minor units as Plaid's number of major units (`12345`, USD → `123.45`). */
export function plaidAmount(minor: number, currency: string): number {
  return Number(formatDecimal({ minor, currency }));
}

/** Plaid's sign on a finagg transaction amount: positive is money out (finagg's own API says negative). */
export function plaidTransactionAmount(minor: number, currency: string): number {
  return minor === 0 ? 0 : plaidAmount(-minor, currency);
}

export interface PlaidAccount {
  account_id: string;
  balances: {
    available: number | null;
    current: number | null;
    limit: number | null;
    iso_currency_code: string | null;
    unofficial_currency_code: string | null;
    last_updated_datetime: string | null;
  };
  mask: string | null;
  name: string;
  official_name: string | null;
  type: string;
  subtype: string | null;
  persistent_account_id?: string;
}

/** ISO 4217 codes Plaid reports in `iso_currency_code`; anything else goes to `unofficial_currency_code`. */
const ISO_CURRENCY = /^[A-Z]{3}$/;

export function plaidAccount(a: Account): PlaidAccount {
  const amount = (minor: number | null) => (minor === null ? null : plaidAmount(minor, a.currency));
  const iso = ISO_CURRENCY.test(a.currency);
  return {
    account_id: a.id,
    balances: {
      available: amount(a.balanceAvailableMinor),
      current: amount(a.balanceCurrentMinor),
      limit: null,
      iso_currency_code: iso ? a.currency : null,
      unofficial_currency_code: iso ? null : a.currency,
      last_updated_datetime: a.updatedAt,
    },
    mask: a.mask,
    name: a.name,
    official_name: null,
    type: a.type,
    subtype: a.subtype?.toLowerCase() ?? null,
  };
}

/** What `/item/get` and friends show of an item: Plaid's Item object. */
export function plaidItemView(
  item: PlaidItem,
  connection: Pick<Connection, 'status'> | null,
  institutionName: string | null,
  requestId: string,
) {
  const code = itemErrorCode(item, connection);
  const error: PlaidErrorObject | null =
    code && code in PLAID_ERROR_CODES
      ? plaidErrorObject(code as PlaidErrorCode, itemErrorMessage(code), requestId)
      : null;
  return {
    item_id: item.itemId,
    institution_id: item.institutionId,
    institution_name: institutionName,
    webhook: item.webhook,
    auth_method: null,
    error,
    available_products: [] as string[],
    billed_products: item.products,
    products: item.products,
    consented_products: item.products,
    consent_expiration_time: null,
    update_type: 'background' as const,
    created_at: item.createdAt,
  };
}

/** The Plaid error code an item shows, from its own state and its connection's; null when healthy. */
export function itemErrorCode(item: PlaidItem, connection: Pick<Connection, 'status'> | null): string | null {
  if (item.status === 'login_required' || connection?.status === 'login_required')
    return 'ITEM_LOGIN_REQUIRED';
  return item.errorCode;
}

function itemErrorMessage(code: string): string {
  return code === 'ITEM_LOGIN_REQUIRED'
    ? "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state"
    : code.toLowerCase().replace(/_/g, ' ');
}
