/**
 * API keys for a gateway that listens beyond loopback: {@link dev.hypha.node.apikeys.ApiKeys} makes random keys and
 * keeps only their SHA-256 hashes, with a name, the time each was created and whether it was revoked. The gateway's
 * routes check them through {@code dev.hypha.node.gateway.api.ApiKeyGuard}; this package knows no HTTP.
 */
package dev.hypha.node.apikeys;
