// The X.509 library (@peculiar/x509) on Node's WebCrypto, and the PEM/DER and key conversions the
// identity modules share. Every certificate operation imports x509 from here, so the reflect
// polyfill and the crypto provider are in place before the library is used.
import 'reflect-metadata';
import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// Node's webcrypto is the WebCrypto the library expects; the DOM `Crypto` type is not in this build's lib.
x509.cryptoProvider.set(webcrypto as unknown as ReturnType<typeof x509.cryptoProvider.get>);

export { x509 };

export type CryptoKeyPair = webcrypto.CryptoKeyPair;
export type CryptoKey = webcrypto.CryptoKey;

/** ECDSA P-256 with SHA-256: what node:tls negotiates for TLS 1.3 mutual authentication. */
export const SIGNING_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A fresh P-256 key pair (extractable, so it can be stored as PKCS#8 PEM). */
export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(SIGNING_ALGORITHM, true, ['sign', 'verify']);
}

/** The private key as PKCS#8 PEM (what node:tls and identity-store take). */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({
    format: 'pem',
    type: 'pkcs8',
  }) as string;
}

/** Imports a PKCS#8 PEM P-256 private key for signing; throws on anything else. */
export async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('expected an ECDSA P-256 private key');
  }
  const der = key.export({ format: 'der', type: 'pkcs8' });
  return webcrypto.subtle.importKey('pkcs8', der, SIGNING_ALGORITHM, false, ['sign']);
}

/** The public key of a PKCS#8 PEM private key, as SPKI DER (to compare with a certificate's). */
export function publicKeyDerOf(privatePem: string): Buffer {
  return createPublicKey(privatePem).export({ format: 'der', type: 'spki' });
}
