/**
 * Fetching content from any IPFS Trustless Gateway (https://specs.ipfs.tech/http-gateways/trustless-gateway/): a
 * Hypha provider, a Helia or Kubo node, a public gateway. {@link dev.hypha.node.trustless.TrustlessGateway} speaks the
 * HTTP side (one raw block, or a CAR stream) with bounded reads and deadlines; {@link
 * dev.hypha.node.trustless.GatewayFetch} verifies every block against its CID, rebuilds the file with hypha-core's
 * {@link dev.hypha.core.cid.ChunkVerifier} and puts it in place by rename, so a fetch that fails or is killed leaves
 * nothing under the target name.
 */
package dev.hypha.node.trustless;
