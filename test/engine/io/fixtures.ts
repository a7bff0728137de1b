/** Test helpers: locate fixtures/dumps and compare decoded values with the writers' expected JSON. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

export const DUMPS = resolve(__dirname, '../../../fixtures/dumps');

export function fixtureBytes(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(join(DUMPS, ...parts)));
}

export function fixtureJson<T = any>(...parts: string[]): T {
  return JSON.parse(readFileSync(join(DUMPS, ...parts), 'utf8')) as T;
}

/** Expected JSON encodes non-finite floats as "nan"/"inf"/"-inf" (signed zeros are checked through the raw bytes). */
export function expectedNumber(v: number | string): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return typeof v === 'string' ? Number(v) : v;
}

/** Element-wise exact equality (NaN equals NaN; +0 equals −0 here). */
export function expectSameValues(actual: ArrayLike<number>, expected: ArrayLike<number | string>, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const e = expectedNumber(expected[i]!);
    const a = actual[i]!;
    if (!(Object.is(a, e) || (a === e && a !== 0) || (Number.isNaN(a) && Number.isNaN(e)) || (a === 0 && e === 0))) {
      expect(a, `${label}[${i}]`).toBe(e);
    }
  }
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
