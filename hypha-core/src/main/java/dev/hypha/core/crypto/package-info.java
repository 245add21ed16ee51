/**
 * Hashes (Keccak-256, SHA-256), Ethereum addresses (EIP-55), secp256k1 signatures in the 65-byte low-s form, and
 * EIP-712 typed data: build or read {@link dev.hypha.core.crypto.TypedData}, then hash, sign, recover and verify with
 * {@link dev.hypha.core.crypto.Eip712}. Every Hypha message a contract may check is signed this way.
 */
package dev.hypha.core.crypto;
