import { randomBytes, randomUUID } from 'node:crypto';

/** Every random choice the simulator makes (ids, secrets, fault rolls) goes through this. */
export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
  /** A version 4 UUID. */
  uuid(): string;
  /** An opaque URL-safe secret (API token values). */
  secret(): string;
}

/** Unseeded: cryptographically random, as a real installation would be. */
export function createSecureRandom(): RandomSource {
  return {
    next: Math.random,
    uuid: randomUUID,
    secret: () => randomBytes(24).toString('base64url'),
  };
}

/**
 * Seeded (mulberry32): the same seed and the same request sequence produce the same ids,
 * secrets and fault outcomes, so tests that inject faults at a rate are repeatable.
 */
export function createSeededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const bytes = (count: number): Buffer =>
    Buffer.from(Array.from({ length: count }, () => Math.floor(next() * 256)));
  const uuid = (): string => {
    const b = bytes(16);
    b[6] = ((b[6] ?? 0) & 0x0f) | 0x40; // version 4
    b[8] = ((b[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
    const hex = b.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  return { next, uuid, secret: () => bytes(24).toString('base64url') };
}

export function createRandom(seed: number | undefined): RandomSource {
  return seed === undefined ? createSecureRandom() : createSeededRandom(seed);
}
