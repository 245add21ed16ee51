/**
 * x402 v2 payments with the {@code exact} scheme on EVM (EIP-3009 {@code transferWithAuthorization} on an ERC-20 such
 * as hUSD), in both directions: {@link dev.hypha.node.x402.Paywall} makes any Hypha HTTP endpoint answer 402 and
 * settle before it serves; {@link dev.hypha.node.x402.ExactFacilitator} verifies and settles on chain and
 * {@link dev.hypha.node.x402.FacilitatorRoutes} offers it as x402's facilitator API ({@code /verify}, {@code /settle},
 * {@code /supported}) to other x402 servers; {@link dev.hypha.node.x402.X402Client} pays x402 endpoints with an
 * account key. The message shapes and the failure reasons follow the x402 v2 specification and the official
 * {@code @x402/*} npm packages (interoperability is tested against them). Every header and body is hostile input:
 * {@link dev.hypha.node.x402.X402Json} bounds it and names the field that is wrong.
 *
 * <p>{@code upto} ("pay what it cost, up to a maximum") is paid over the inference network's payment channels:
 * {@link dev.hypha.node.x402.UptoChannelPaywall} meters endpoints with the provider's {@code ChannelGate} and
 * {@code ProviderLedger}, and {@link dev.hypha.node.x402.UptoChannelClient} pays with a {@code PayerLedger} channel.
 * Both are HTTP around transport-neutral halves that MCP shares: {@link dev.hypha.node.x402.UptoMeter} (admit a
 * voucher, then charge what the work cost, both on disk) and {@link dev.hypha.node.x402.UptoVouchers} (choose an offer,
 * sign the call's voucher, check the settlement).
 *
 * <p>Channel payments ({@code hypha-channel}) stay in {@code dev.hypha.node.payments}; this package reuses its header
 * names and protocol version.
 */
package dev.hypha.node.x402;
