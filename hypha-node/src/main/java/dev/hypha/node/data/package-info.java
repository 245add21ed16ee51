/**
 * Issue 13's encrypted data on the Java side: an owner seals a file ({@code core.seal}), stores the ciphertext
 * content-addressed, registers it on AssetRegistry and wraps the data key to itself and to grantees on AccessGrants;
 * a grantee fetches the ciphertext from any trustless gateway, unwraps the key with its account key, opens and checks
 * it. Compute-to-data releases the key to the provider holding a job's lease, for that job only.
 */
package dev.hypha.node.data;
