// The room code (learners post with it) and the mentor token (the board, its
// stream and the exports need it).

import { randomBytes, timingSafeEqual } from 'node:crypto';

export function newRoomCode(): string {
  // No 0/O, 1/I/L: the code is read off a projector.
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
  return [...randomBytes(6)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

export function newToken(): string {
  return randomBytes(18).toString('base64url');
}

/** Compared in constant time: the answer's timing must not reveal how much of a guess was right. */
export function sameSecret(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
