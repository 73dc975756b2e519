import { webcrypto } from 'node:crypto';
// @node-rs/argon2: prebuilt per platform (no compiler at install); the `argon2` package's
// linux-x64 prebuild crashed Node 20 on Debian 12 here, and building it needs a toolchain.
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { jwtVerify, SignJWT } from 'jose';

const ALGORITHM = 'HS256'; // pinned: a token with any other `alg` is refused

export interface TokenSettings {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** Signs and checks bearer tokens. The token names the account only; its role is read per request. */
export class TokenService {
  // Imported once: given raw bytes, jose imports the key again on every call (~5 % of a request).
  private readonly key: Promise<webcrypto.CryptoKey>;
  constructor(private readonly settings: TokenSettings) {
    this.key = webcrypto.subtle.importKey('raw', new TextEncoder().encode(settings.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  }

  async issue(accountId: string, now: Date): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + this.settings.ttlSeconds;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(accountId)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(await this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** The account id in a valid token, or null for a forged, expired or foreign one. */
  async verify(token: string, now: Date): Promise<string | null> {
    return (await this.verifyClaims(token, now))?.accountId ?? null;
  }

  /** As `verify`, with when the token was issued (a password reset ends older ones) and expires (a WebSocket connection is closed then). */
  async verifyClaims(token: string, now: Date): Promise<{ accountId: string; issuedAt: number; expiresAt: Date } | null> {
    try {
      const { payload } = await jwtVerify(token, await this.key, {
        algorithms: [ALGORITHM],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        currentDate: now,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      return typeof payload.sub === 'string' && typeof payload.iat === 'number' ? { accountId: payload.sub, issuedAt: payload.iat, expiresAt: new Date(payload.exp! * 1000) } : null;
    } catch {
      return null;
    }
  }
}

// OWASP's Argon2id baseline (19 MiB, 2 passes, 1 lane).
// `Algorithm` is a const enum (erased by our test compiler), hence its value: 2 = Argon2id.
const ARGON2ID = 2 as Algorithm;
const HASH_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, HASH_OPTIONS);
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password; with no stored hash (unknown e-mail) it still spends the same work on a
 * dummy hash, so a wrong password and an unknown e-mail take alike.
 */
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  dummyHash ??= hashPassword('dummy password for unknown accounts');
  const ok = await verify(stored ?? (await dummyHash), password).catch(() => false);
  return ok && stored !== undefined;
}
