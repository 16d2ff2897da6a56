/**
 * The shape of a user id, defined once: the verified token's `sub` (a Cognito user pool's `sub` is a UUID; the
 * local twin's `POST /dev/token` issues whatever `user_id` it is given in this shape). Every key and index of
 * the store is built from it, so it must fit DynamoDB's key limits (2,048 bytes for a partition key) with room
 * to spare, and must not hold the `#` that separates the parts of a key. A token whose `sub` is not of this shape
 * is refused with 401 before any store call (shared/http/handler.ts).
 */
export const USER_ID_PATTERN = /^[A-Za-z0-9_.@-]{1,128}$/;

/** What USER_ID_PATTERN allows, for error messages. */
export const USER_ID_RULE = '1 to 128 letters, digits and _ . @ -';

export function isUserId(value: unknown): value is string {
  return typeof value === 'string' && USER_ID_PATTERN.test(value);
}
