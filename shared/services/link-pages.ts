import type { HttpEvent } from '../http/handler';
import { syncProviders } from './providers';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `body{font-family:system-ui,sans-serif;max-width:38rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}
h1{font-size:1.5rem}label{display:block;margin:.8rem 0 .2rem}input,select,button{font:inherit;padding:.45rem;width:100%;box-sizing:border-box}
button{margin-top:1rem;background:#0b5fff;color:#fff;border:0;border-radius:.3rem;cursor:pointer}
.ok{color:#0a7a32}.err{color:#b3261e}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem;border-bottom:1px solid #ddd}
small{color:#57606a}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/**
 * `GET /link`: pick a bank and link it. On the local twin the page gets a token from `/dev/token` for the user
 * id typed in; elsewhere, paste a bearer token from the user pool.
 */
export function linkPage(_event: HttpEvent): string {
  const options = syncProviders()
    .map((p) => `<option value="${esc(p.id)}">${esc(p.name)} (${esc(p.id)})</option>`)
    .join('');
  return page(
    'Link a bank',
    `<h1>Link a bank account</h1>
<form id="link">
<label for="user">User id <small>(local twin: a token is issued for it)</small></label><input id="user" name="user" value="demo-user">
<label for="token">…or a bearer token</label><input id="token" name="token" placeholder="eyJ…">
<label for="provider">Bank</label><select id="provider" name="provider">${options}</select>
<button type="submit" id="go">Continue to the bank</button>
</form><p id="msg" class="err" role="alert"></p>
<script>
document.getElementById('link').addEventListener('submit', async (e) => {
  e.preventDefault();
  const msg = document.getElementById('msg');
  msg.textContent = '';
  try {
    let token = document.getElementById('token').value.trim();
    if (!token) {
      const r = await fetch('/dev/token', {method: 'POST', headers: {'content-type': 'application/json'},
        body: JSON.stringify({user_id: document.getElementById('user').value.trim()})});
      if (!r.ok) throw new Error('No token: ' + (await r.text()));
      token = (await r.json()).access_token;
    }
    const res = await fetch('/auth/link-bank', {method: 'POST',
      headers: {'content-type': 'application/json', authorization: 'Bearer ' + token},
      body: JSON.stringify({provider: document.getElementById('provider').value})});
    const body = await res.json();
    if (!res.ok) throw new Error(body.detail || res.statusText);
    window.location.assign(body.authorize_url);
  } catch (err) { msg.textContent = err.message; }
});
</script>`,
  );
}

interface CallbackResult {
  connection: { id: string; provider: string; status: string };
  accounts: {
    name: string;
    mask: string | null;
    type: string;
    subtype: string | null;
    currency: string;
    balance: { current: string | null };
  }[];
}

/** The default redirect page: what happened, in words, and the linked accounts. */
export function callbackPage(opts: {
  ok: boolean;
  title: string;
  detail: string;
  result?: CallbackResult;
}): string {
  const rows =
    opts.result?.accounts
      .map(
        (a) =>
          `<tr><td>${esc(a.name)}</td><td>••${esc(a.mask ?? '')}</td><td>${esc(a.subtype ?? a.type)}</td><td>${esc(a.balance.current ?? '—')} ${esc(a.currency)}</td></tr>`,
      )
      .join('') ?? '';
  const body = opts.ok
    ? `<h1 class="ok" id="result">${esc(opts.title)}</h1>
<p>Connection <code id="connection-id">${esc(opts.result!.connection.id)}</code> to <strong>${esc(opts.result!.connection.provider)}</strong> is <span id="status">${esc(opts.result!.connection.status)}</span>. Its first sync is queued.</p>
<table><thead><tr><th>Account</th><th>Number</th><th>Type</th><th>Balance</th></tr></thead><tbody id="accounts">${rows}</tbody></table>
<p><a href="/link">Link another bank</a></p>`
    : `<h1 class="err" id="result">${esc(opts.title)}</h1><p id="detail">${esc(opts.detail)}</p><p><a href="/link">Try again</a></p>`;
  return page(opts.title, body);
}
