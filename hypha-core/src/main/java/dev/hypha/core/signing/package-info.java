/**
 * Signed model manifests in the OpenSSF model-signing format (sigstore/model-transparency, "v1.0" predicate): an
 * in-toto Statement v1 whose predicate lists the SHA-256 of every file of the model ({@link
 * dev.hypha.core.signing.ModelManifestStatement}), wrapped in a DSSE envelope inside a Sigstore bundle ({@link
 * dev.hypha.core.signing.SignatureBundle}). The signature is the publisher's account key (secp256k1, as in the
 * keystore): a 65-byte Ethereum-style (r, s, v) signature over keccak256 of the DSSE pre-authentication encoding, so
 * a verifier recovers the signer's address offline, with no certificate or transparency log. {@link
 * dev.hypha.core.signing.ModelSignatures} signs and verifies a set of files.
 */
package dev.hypha.core.signing;
