/**
 * How domain values sit in register columns: times as ISO-8601 UTC text (so text order is
 * time order and range filters can compare strings), bytes as BLOBs.
 */
import { YinjianError } from '../../../shared/errors/index';

export function isoTime(value: Date, field: string): string {
  if (!(value instanceof Date) || !Number.isFinite(value.getTime())) {
    throw new YinjianError('REGISTER_RECORD_INVALID', { detail: `${field} is not a valid time` });
  }
  return value.toISOString();
}

export function timeOf(text: string): Date {
  return new Date(text);
}

export function timeOrNull(text: string | null): Date | null {
  return text === null ? null : new Date(text);
}

export function blob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function bytesOf(value: Buffer): Uint8Array {
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

export function requireText(field: string, value: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new YinjianError('REGISTER_FIELD_REQUIRED', { field });
  return value;
}
