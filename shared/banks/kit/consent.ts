import { escapeHtml } from './http';

export interface ConsentPage {
  bankName: string;
  colour: string;
  tagline: string;
  clientName: string;
  /** Where the form posts (the authorize endpoint's path). */
  action: string;
  /** The OAuth parameters, carried as hidden fields. */
  params: Record<string, string>;
  /** Human descriptions of the requested scopes. */
  scopes: string[];
  username?: string;
  error?: string;
}

const HIDDEN = [
  'response_type',
  'client_id',
  'redirect_uri',
  'state',
  'code_challenge',
  'code_challenge_method',
  'scope',
] as const;

/** The bank's consent page: a real HTML form with username, password, Allow and Deny. */
export function renderConsentPage(p: ConsentPage): string {
  const hidden = HIDDEN.filter((k) => p.params[k] !== undefined)
    .map((k) => `      <input type="hidden" name="${k}" value="${escapeHtml(p.params[k]!)}">`)
    .join('\n');
  const scopes = p.scopes.map((s) => `        <li>${escapeHtml(s)}</li>`).join('\n');
  const error = p.error ? `    <p class="error" role="alert" id="error">${escapeHtml(p.error)}</p>\n` : '';
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(p.bankName)} - Sign in to connect ${escapeHtml(p.clientName)}</title>
  <style>
    body { font-family: system-ui, sans-serif; background: #f4f5f7; margin: 0; }
    header { background: ${escapeHtml(p.colour)}; color: #fff; padding: 16px 24px; }
    header h1 { margin: 0; font-size: 20px; }
    header p { margin: 4px 0 0; font-size: 13px; opacity: .85; }
    main { max-width: 420px; margin: 32px auto; background: #fff; padding: 24px; border-radius: 8px;
      box-shadow: 0 1px 3px rgba(0,0,0,.15); }
    label { display: block; margin: 12px 0 4px; font-weight: 600; }
    input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: 8px; }
    .buttons { display: flex; gap: 12px; margin-top: 20px; }
    button { flex: 1; padding: 10px; font-size: 15px; cursor: pointer; }
    button.allow { background: ${escapeHtml(p.colour)}; color: #fff; border: 0; }
    .error { color: #b00020; font-weight: 600; }
    .hint { color: #666; font-size: 12px; }
  </style>
</head>
<body>
  <header>
    <h1>${escapeHtml(p.bankName)}</h1>
    <p>${escapeHtml(p.tagline)}</p>
  </header>
  <main>
    <h2>Connect ${escapeHtml(p.clientName)}</h2>
    <p><strong>${escapeHtml(p.clientName)}</strong> would like to:</p>
    <ul>
${scopes}
    </ul>
${error}    <form method="post" action="${escapeHtml(p.action)}" id="consent">
${hidden}
      <label for="username">Username</label>
      <input type="text" id="username" name="username" autocomplete="username" value="${escapeHtml(p.username ?? '')}">
      <label for="password">Password</label>
      <input type="password" id="password" name="password" autocomplete="current-password">
      <div class="buttons">
        <button type="submit" name="decision" value="allow" id="allow" class="allow">Allow</button>
        <button type="submit" name="decision" value="deny" id="deny">Deny</button>
      </div>
    </form>
    <p class="hint">Sandbox: user_good / pass_good (user_good_&lt;n&gt; for user n); user_custom with a JSON configuration as the password for a scripted user.</p>
  </main>
</body>
</html>
`;
}

/** An authorize request so broken the bank cannot redirect back (unknown client or redirect_uri). */
export function renderErrorPage(bankName: string, colour: string, message: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(bankName)} - Error</title></head>
<body style="font-family: system-ui, sans-serif">
  <header style="background: ${escapeHtml(colour)}; color: #fff; padding: 16px 24px"><h1>${escapeHtml(bankName)}</h1></header>
  <main style="padding: 24px"><h2>This request cannot be completed</h2><p id="error">${escapeHtml(message)}</p></main>
</body>
</html>
`;
}
