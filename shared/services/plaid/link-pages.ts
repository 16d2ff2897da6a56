import type { PlaidInstitution } from '../../domain/plaid/institutions';
import type { PlaidLinkToken } from '../../domain/plaid/models';
import type { LinkResult } from './link';

/**
 * The hosted link pages of the Plaid surface: the bank choice (then the mock bank's own consent page, as in
 * finagg's /link), and the end, which hands the public token to the app: a redirect to the link token's
 * `redirect_uri` with `public_token` in the query, else this page, which posts it to `window.opener` /
 * `window.parent` (`{source: 'finagg-link', event: 'success', public_token, metadata}`) and shows it.
 */

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON safe inside a <script>. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

const STYLE = `body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}
h1{font-size:1.4rem}.bank{display:flex;gap:.6rem;align-items:center;border:1px solid #d0d7de;border-radius:.4rem;padding:.7rem;margin:.5rem 0;cursor:pointer}
.swatch{width:1rem;height:1rem;border-radius:50%}button{font:inherit;margin-top:1rem;padding:.6rem;width:100%;background:#0b5fff;color:#fff;border:0;border-radius:.3rem;cursor:pointer}
.ok{color:#0a7a32}.err{color:#b3261e}code{word-break:break-all}small{color:#57606a}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** The bank choice: a form that goes to the start route with the link token and the institution picked. */
export function hostedLinkPage(opts: {
  token: PlaidLinkToken;
  institutions: readonly PlaidInstitution[];
  startUrl: string;
}): string {
  const banks = opts.institutions
    .map(
      (i, n) =>
        `<label class="bank"><input type="radio" name="institution_id" value="${esc(i.institution_id)}" id="${esc(i.institution_id)}"${n === 0 ? ' checked' : ''}>` +
        `<span class="swatch" style="background:${esc(i.primary_color ?? '#888')}"></span>${esc(i.name)} <small>${esc(i.country_codes.join(', '))}</small></label>`,
    )
    .join('');
  const body = opts.institutions.length
    ? `<form method="get" action="${esc(opts.startUrl)}" id="choose">
<input type="hidden" name="token" value="${esc(opts.token.linkToken)}">${banks}
<button type="submit" id="continue">Continue to your bank</button></form>`
    : `<p class="err" id="detail">No bank is available in ${esc(opts.token.countryCodes.join(', '))}.</p>`;
  return page(
    `Connect your bank to ${opts.token.clientName}`,
    `<h1>Connect your bank to <span id="client-name">${esc(opts.token.clientName)}</span></h1>
<p>Pick your bank. You sign in at the bank itself; ${esc(opts.token.clientName)} never sees your password.</p>${body}
<p><small>finagg link, on behalf of ${esc(opts.token.clientName)}.</small></p>`,
  );
}

/** The end of a successful link: the public token posted to the opener or parent, and shown. */
export function hostedSuccessPage(result: LinkResult): string {
  const message = {
    source: 'finagg-link',
    event: 'success',
    public_token: result.publicToken,
    metadata: {
      institution: { institution_id: result.institution.institution_id, name: result.institution.name },
      accounts: result.accounts.map((a) => ({
        id: a.id,
        name: a.name,
        mask: a.mask,
        type: a.type,
        subtype: a.subtype,
      })),
      link_session_id: `hosted-${result.token.linkToken.slice(-12)}`,
    },
  };
  return page(
    'Bank connected',
    `<h1 class="ok" id="result">Bank connected</h1>
<p>${esc(result.institution.name)} is connected to ${esc(result.token.clientName)}. You can close this window.</p>
<p><small>Public token:</small> <code id="public-token">${esc(result.publicToken)}</code></p>
<script>(() => {
  const message = ${scriptJson(message)};
  if (window.opener) window.opener.postMessage(message, '*');
  if (window.parent && window.parent !== window) window.parent.postMessage(message, '*');
})();</script>`,
  );
}

/** A link that did not finish (the user denied, the link expired, the bank failed): said, and posted as an exit. */
export function hostedErrorPage(opts: { title: string; detail: string; error: string }): string {
  const message = {
    source: 'finagg-link',
    event: 'exit',
    error: { error_code: opts.error, error_message: opts.detail },
  };
  return page(
    opts.title,
    `<h1 class="err" id="result">${esc(opts.title)}</h1><p id="detail">${esc(opts.detail)}</p>
<script>(() => {
  const message = ${scriptJson(message)};
  if (window.opener) window.opener.postMessage(message, '*');
  if (window.parent && window.parent !== window) window.parent.postMessage(message, '*');
})();</script>`,
  );
}

/** Where a link token's redirect_uri sends the user with the public token. */
export function redirectWithPublicToken(redirectUri: string, publicToken: string): string {
  const url = new URL(redirectUri);
  url.searchParams.set('public_token', publicToken);
  return url.toString();
}
