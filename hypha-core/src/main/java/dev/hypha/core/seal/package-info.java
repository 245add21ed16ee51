/**
 * Data sealed for its owner and the accounts they grant it to: a file encrypted in authenticated chunks under a random
 * data key ({@link dev.hypha.core.seal.SealedData}), and that key wrapped to each grantee's X25519 key
 * ({@link dev.hypha.core.seal.KeyWrap}, {@link dev.hypha.core.seal.RecipientKey}). Only JDK primitives (XDH,
 * ChaCha20-Poly1305, HKDF through {@code javax.crypto.KDF}): no hand-written cryptography, only the framing.
 */
package dev.hypha.core.seal;
