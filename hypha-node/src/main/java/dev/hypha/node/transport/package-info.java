/**
 * The provider's transport: TLS 1.3 whose certificate key is vouched for by the provider's registered signing key.
 *
 * <p>The registered key is secp256k1 (what ProviderRegistry lists and what signs receipts), which JSSE cannot use in
 * TLS. So a provider makes a fresh P-256 TLS key, puts it in a self-signed certificate and adds an extension
 * ({@link dev.hypha.node.transport.TlsKeyBinding}) holding an EIP-712 signature by the registered key over the hash of
 * the certificate's public key, the chain id, the provider address and a validity window. A client trusts a
 * connection only when that signature recovers to the signing key it expects for that provider: no certificate
 * authority and no host name check, the key binding replaces both. {@link dev.hypha.node.transport.ProviderTls} is the
 * entry point for both sides.
 */
package dev.hypha.node.transport;
