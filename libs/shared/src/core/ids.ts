import { ValidationError } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** An id taken from a caller: a UUID, or a validation error naming the field (never a database error). */
export function requireUuid(field: string, value: string, reason: string): string {
  if (!isUuid(value)) throw ValidationError.field(field, reason);
  return value;
}
