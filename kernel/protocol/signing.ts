/**
 * HMAC signing of the four JSON frames (header, parent_header, metadata, content), as the
 * connection file's `signature_scheme` and `key` prescribe. Verification compares digests in
 * constant time: a byte-by-byte early exit would let an attacker on the loopback recover a valid
 * signature one byte at a time by timing, and then execute code in the kernel.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface Signer {
  /** Hex digest of the parts, or '' when signing is disabled (empty key). */
  sign(parts: readonly Uint8Array[]): string;
  verify(signature: Uint8Array | string, parts: readonly Uint8Array[]): boolean;
}

const SCHEMES: Record<string, string> = { 'hmac-sha256': 'sha256', 'hmac-sha512': 'sha512', 'hmac-sha1': 'sha1', 'hmac-md5': 'md5' };

export function createSigner(key: string, signatureScheme = 'hmac-sha256'): Signer {
  if (typeof key !== 'string') throw new TypeError('createSigner: key must be a string');
  const algorithm = SCHEMES[signatureScheme];
  if (algorithm === undefined) throw new Error(`createSigner: unsupported signature_scheme '${signatureScheme}'`);
  if (key === '') {
    // An empty key disables authentication (the spec allows it); any signature is accepted.
    return { sign: () => '', verify: () => true };
  }
  const sign = (parts: readonly Uint8Array[]): string => {
    const h = createHmac(algorithm, key);
    for (const p of parts) h.update(p);
    return h.digest('hex');
  };
  return {
    sign,
    verify(signature, parts) {
      const got = typeof signature === 'string' ? Buffer.from(signature, 'latin1') : Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength);
      const want = Buffer.from(sign(parts), 'latin1');
      // Length is public (fixed per scheme); only equal-length digests reach the constant-time compare.
      return got.length === want.length && timingSafeEqual(got, want);
    },
  };
}
