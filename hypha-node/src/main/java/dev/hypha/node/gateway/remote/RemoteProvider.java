package dev.hypha.node.gateway.remote;

import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.ReceiptDomain;
import dev.hypha.core.crypto.Address;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * One provider a payer buys from, and how: where it listens, the key it signs receipts with, the channel this payer
 * has open to it and the contracts the payment must name.
 *
 * @param baseUrl         the provider's API root (its {@code /provider/v1} routes live under it)
 * @param receiptSigner   the address whose key must sign every receipt
 * @param channel         the payer's channel to this provider (its provider and token are what a 402 must ask for)
 * @param channels        the PaymentChannels contract
 * @param receipts        the EIP-712 domain receipts are signed in (its chain id is the payment's network)
 * @param opmlVerifier    the OpmlVerifier that opML commitments are signed for (its EIP-712 domain) and challenged on;
 *                        empty where the deployment has none, and then answers of verifiable models are refused
 */
public record RemoteProvider(URI baseUrl, Address receiptSigner, ChannelParams channel, Address channels,
                             ReceiptDomain receipts, Optional<Address> opmlVerifier) {
    public RemoteProvider {
        Objects.requireNonNull(opmlVerifier, "opmlVerifier");
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(receiptSigner, "receiptSigner");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(channels, "channels");
        Objects.requireNonNull(receipts, "receipts");
    }

    /** A provider on a deployment without OpmlVerifier. */
    public RemoteProvider(URI baseUrl, Address receiptSigner, ChannelParams channel, Address channels,
                          ReceiptDomain receipts) {
        this(baseUrl, receiptSigner, channel, channels, receipts, Optional.empty());
    }

    /** The chain the channel and receipts live on. */
    public long chainId() {
        return receipts.chainId();
    }
}
