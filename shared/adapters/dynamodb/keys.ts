import type { ConnectionStatus } from '../../domain/models';

/**
 * Every key shape of the single table, in one place. Only the DynamoDB adapter knows them.
 *
 *   entity          pk                 sk                    gsi1pk / gsi2pk / gsi3pk   sort key of that index
 *   connection      USER#<uid>         CONN#<id>             gsi1: CONNSTATUS#<status>  <id>
 *   link session    LINK#<state>       LINK                  -                          -        (expires_at TTL)
 *   account         USER#<uid>         ACCT#<id>
 *   transaction     USER#<uid>         TXN#<id>              gsi1: TXNS#<uid> (live)    <date>#<id>
 *                                                            gsi2: FEED#<uid>           <updatedAt>#<id>
 *                                                            gsi3: CONNTXN#<conn>       <bank date>#<id>
 *   bank id alias   CONN#<conn>        ALIAS#<bank id>       (a bank id merged into a transaction first seen under another)
 *   txn event       TXN#<id>           EVT#<seq:8>           (immutable: written once, never updated)
 *   user rule       USER#<uid>         RULE#<id>
 *   recategorize    USER#<uid>         RECATEGORIZE          (a request to the categorizer; expires_at TTL, 1 day)
 *   budget          USER#<uid>         BUDGET#<id>
 *   user_settings   USER#<uid>         SETTINGS
 *   alert           USER#<uid>         ALERT#<id>            gsi1: ALERTS#<uid>         <created_at>#<id> (once per id)
 *   anomaly         USER#<uid>         ANOM#<id>             gsi1: ANOMS#<uid>          <txn date>#<id>   (once per id)
 *   spend_month     USER#<uid>         SPEND#<yyyy-mm>       entries: {<txn id>: "<date>|<amount>|<cur>|<primary>|..."}
 *   spend_rollup    USER#<uid>         SPENDAGG#<yyyy-mm>    cells: per date, currency and category (domain/spend.ts)
 *   anomaly_history USER#<uid>         AHIST#<yyyy-mm>       entries: {<txn id>: JSON of what detection reads}
 *   sync run        CONN#<id>          SYNC#<startedAt>#<id> gsi1: SYNCRUNS#running     <leaseExpiresAt>#<conn>#<id>
 *                                                            (only while running)
 *                                                            gsi3: SYNCRUN#<conn>#<id>  RUN (found by id)
 *   quarantined     CONN#<id>          QUAR#<sync id>#<n:6>                                       (expires_at TTL, 30 days)
 *   sync progress   CONN#<id>          PROG#<sync id>        + PROG#<sync id>#P<pages:6>#<chunk:3>   (expires_at TTL, 2 days)
 *   mock bank state MOCKBANK#<bank>    ...                   (the mock banks' own state: mock-bank-state.ts)
 *   plaid app       PLAIDAPP#<client>  APP                   gsi1: PLAIDAPPS            <client_id>
 *   plaid item      PLAIDAPP#<client>  ITEM#<item_id>
 *   plaid access    PLAIDACCESS#<hash> ACCESS                (an access token's item: clientId, itemId)
 *   plaid conn item CONN#<conn>        PLAIDITEM             (a connection's item: clientId, itemId)
 *   plaid link tok  PLAIDLINK#<token>  LINK                  gsi1: PLAIDLINKSTATE#<oauth state>  LINK  (expires_at TTL)
 *   plaid public    PLAIDPUBLIC#<hash> PUBLIC                (expires_at TTL)   (plaid-store.ts; hashes: SHA-256 hex)
 *
 * Only `transaction`, `budget` and `recategorize` items drive the stream functions; the others are filtered out of
 * their triggers (lib/catalogue.ts).
 */
export const keys = {
  user: (userId: string) => `USER#${userId}`,
  connection: (id: string) => `CONN#${id}`,
  connectionPrefix: 'CONN#',
  connectionStatus: (status: ConnectionStatus) => `CONNSTATUS#${status}`,
  link: (state: string) => `LINK#${state}`,
  linkSk: 'LINK',
  account: (id: string) => `ACCT#${id}`,
  accountPrefix: 'ACCT#',
  txn: (id: string) => `TXN#${id}`,
  txnPrefix: 'TXN#',
  txnList: (userId: string) => `TXNS#${userId}`,
  feed: (userId: string) => `FEED#${userId}`,
  connTxns: (connectionId: string) => `CONNTXN#${connectionId}`,
  alias: (bankTxnId: string) => `ALIAS#${bankTxnId}`,
  event: (seq: number) => `EVT#${String(seq).padStart(8, '0')}`,
  eventPrefix: 'EVT#',
  rule: (id: string) => `RULE#${id}`,
  rulePrefix: 'RULE#',
  recategorize: 'RECATEGORIZE',
  budget: (id: string) => `BUDGET#${id}`,
  budgetPrefix: 'BUDGET#',
  settings: 'SETTINGS',
  alert: (id: string) => `ALERT#${id}`,
  alertPrefix: 'ALERT#',
  alertList: (userId: string) => `ALERTS#${userId}`,
  anomaly: (id: string) => `ANOM#${id}`,
  anomalyList: (userId: string) => `ANOMS#${userId}`,
  spendMonth: (month: string) => `SPEND#${month}`,
  spendRollup: (month: string) => `SPENDAGG#${month}`,
  historyMonth: (month: string) => `AHIST#${month}`,
  syncRun: (startedAt: string, id: string) => `SYNC#${startedAt}#${id}`,
  syncRunPrefix: 'SYNC#',
  runningSyncs: () => 'SYNCRUNS#running',
  syncRunById: (connectionId: string, syncId: string) => `SYNCRUN#${connectionId}#${syncId}`,
  syncRunByIdSk: 'RUN',
  progress: (syncId: string) => `PROG#${syncId}`,
  progressChunk: (syncId: string, pages: number, chunk: number) =>
    `PROG#${syncId}#P${String(pages).padStart(6, '0')}#${String(chunk).padStart(3, '0')}`,
  quarantined: (syncId: string, n: number) => `QUAR#${syncId}#${String(n).padStart(6, '0')}`,
  quarantinedPrefix: (syncId: string) => `QUAR#${syncId}#`,
  plaidApp: (clientId: string) => `PLAIDAPP#${clientId}`,
  plaidAppSk: 'APP',
  plaidApps: 'PLAIDAPPS',
  plaidItem: (itemId: string) => `ITEM#${itemId}`,
  plaidItemPrefix: 'ITEM#',
  plaidAccess: (accessTokenHash: string) => `PLAIDACCESS#${accessTokenHash}`,
  plaidAccessSk: 'ACCESS',
  plaidConnectionItemSk: 'PLAIDITEM',
  plaidLink: (linkToken: string) => `PLAIDLINK#${linkToken}`,
  plaidLinkSk: 'LINK',
  plaidLinkState: (state: string) => `PLAIDLINKSTATE#${state}`,
  plaidPublic: (tokenHash: string) => `PLAIDPUBLIC#${tokenHash}`,
  plaidPublicSk: 'PUBLIC',
};
