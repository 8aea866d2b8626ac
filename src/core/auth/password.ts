import argon2 from 'argon2'

/**
 * Argon2id hashes. The PHC string carries its own parameters, so verification needs no
 * setting: real users get OWASP's recommended cost, while the load-test fixture uses a cheap
 * profile so that a Locust spawn of 100 logins/s does not turn into a password-hashing benchmark.
 */
export const HASH_PROFILES = {
  // OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
  strong: { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 },
  // Fixture users only (password published in the seed documents anyway).
  fixture: { type: argon2.argon2id, memoryCost: 1_024, timeCost: 1, parallelism: 1 }
} as const

export type HashProfile = keyof typeof HASH_PROFILES

export function hashPassword (password: string, profile: HashProfile = 'strong'): Promise<string> {
  return argon2.hash(password, HASH_PROFILES[profile])
}

export async function verifyPassword (hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password)
  } catch {
    return false // malformed hash: treat as a mismatch, never as a server error
  }
}

// A real hash to verify against when the email is unknown, so response time does not reveal
// which accounts exist.
let dummyHash: Promise<string> | undefined
export function dummyPasswordHash (): Promise<string> {
  dummyHash ??= hashPassword('dummy-password-for-timing', 'fixture')
  return dummyHash
}
