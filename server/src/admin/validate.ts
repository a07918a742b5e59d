/** Shape checks for admin request bodies: each failure names the field, as a 400 InvalidRequest. */
import { BUCKET_PERMISSIONS, ROLES, type Role } from '@anode/shared/admin-api/index';
import { invalid } from './errors.js';

export type JsonObject = Record<string, unknown>;

/** The body as an object; a missing body is {} so every field can be optional. */
export function objectBody(body: unknown): JsonObject {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('the request body must be a JSON object');
  return body as JsonObject;
}

/** Refuses fields the route does not know: a typo must not silently do nothing. */
export function onlyFields(obj: JsonObject, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw invalid(`unknown field "${key}" (expected ${allowed.map((a) => `"${a}"`).join(', ')})`);
  }
}

export function optionalBoolean(obj: JsonObject, key: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw invalid(`"${key}" must be true or false`);
  return v;
}

export function requiredString(obj: JsonObject, key: string, maxLength = 1024): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.trim() === '') throw invalid(`"${key}" is required and must be a non-empty string`);
  if (v.length > maxLength) throw invalid(`"${key}" is longer than ${maxLength} characters`);
  return v;
}

export function optionalStringArray(obj: JsonObject, key: string): string[] | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw invalid(`"${key}" must be an array of strings`);
  return v as string[];
}

/** IAM's user-name alphabet: letters, digits and + = , . @ _ -, up to 64 characters. */
export const USER_NAME = /^[A-Za-z0-9+=,.@_-]{1,64}$/;

export function userName(value: string, field = 'user'): string {
  if (!USER_NAME.test(value))
    throw invalid(`"${field}" must be 1-64 letters, digits or + = , . @ _ - (got ${JSON.stringify(value.slice(0, 80))})`);
  return value;
}

export function role(value: unknown): Role {
  if (typeof value !== 'string' || !(ROLES as readonly string[]).includes(value))
    throw invalid(`"role" must be one of ${ROLES.join(', ')}`);
  return value as Role;
}

export function permissionNames(values: readonly string[], field: string): string[] {
  for (const p of values) {
    if (!(BUCKET_PERMISSIONS as readonly string[]).includes(p))
      throw invalid(`${field}: unknown permission "${p}" (expected ${BUCKET_PERMISSIONS.join(', ')})`);
  }
  return [...new Set(values)];
}

/** Access key ids as the server issues or accepts them (ensureRootCredential's rule). */
export const ACCESS_KEY = /^[A-Z0-9]{16,128}$/;
