/**
 * The gateway's network backend: answers bought from the providers the chain lists. {@link
 * dev.hypha.node.gateway.network.NetworkBackend} ranks the live offers for a model ({@link
 * dev.hypha.node.gateway.network.Router}: the user's allow and deny lists, then failures, price and measured latency),
 * pays the chosen provider through a channel {@link dev.hypha.node.gateway.network.PayerChannels} opens and tops up
 * within the user's {@link dev.hypha.node.gateway.network.Budget}, and when a provider fails mid-answer hands the text
 * already delivered to the next one as a prefill ({@link dev.hypha.node.gateway.network.Continuation}). One provider's
 * exchange (402, voucher, streamed answer, receipt check) is {@code gateway.remote}'s.
 */
package dev.hypha.node.gateway.network;
