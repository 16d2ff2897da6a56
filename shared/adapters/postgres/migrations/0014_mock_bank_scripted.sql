-- A scripted sandbox user's login (`user_custom`, shared/banks/kit/scripted.ts): its configuration and link date,
-- kept on the authorization code and carried to the grant, as the DynamoDB adapter keeps them.
ALTER TABLE mock_bank_codes ADD COLUMN scripted jsonb;
ALTER TABLE mock_bank_grants ADD COLUMN scripted jsonb;
