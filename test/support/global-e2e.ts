import { DEPLOYED_URL, TWIN_ONLY } from './e2e-target';

/** With E2E_BASE_URL: says which deployment the e2e tests run against, and which files are left out, and why. */
export default function setup(): void {
  if (!DEPLOYED_URL) return;
  console.log(`[e2e] against the deployment at ${DEPLOYED_URL}; left out (they need the twin itself):`);
  for (const [file, reason] of Object.entries(TWIN_ONLY)) console.log(`[e2e]   skipped ${file}: ${reason}`);
}
