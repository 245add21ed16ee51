package dev.hypha.node.provider;

import dev.hypha.chain.channels.ChannelState;
import dev.hypha.chain.deploy.PaymentChannelsClient;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.payments.ProviderLedger;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Turns the ledger's best vouchers into tokens: for each channel with more promised than redeemed, sends the
 * voucher to PaymentChannels and records what the chain then says is redeemed (never what it hoped to get), so a
 * redemption that failed, or one already made by someone else, leaves the ledger true to the chain.
 */
public final class Redeemer {
    /** The chain side of redemption (PaymentChannelsClient's redeem and state). */
    public interface Channels {
        void redeem(ProviderLedger.Redeemable r);

        ChannelState state(String channelId);
    }

    /** One channel's outcome: redeemed on chain afterwards, and why it failed when it did. */
    public record Outcome(String channelId, BigInteger redeemed, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    private final ProviderLedger ledger;
    private final Channels channels;

    public Redeemer(ProviderLedger ledger, Channels channels) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.channels = Objects.requireNonNull(channels, "channels");
    }

    /** A redeemer sending the ledger's vouchers through the PaymentChannels contract, claiming what was charged. */
    public static Redeemer onChain(ProviderLedger ledger, PaymentChannelsClient contract) {
        return new Redeemer(ledger, new Channels() {
            @Override
            public void redeem(ProviderLedger.Redeemable r) {
                contract.redeemUpTo(r.channel(), r.voucher(), r.claim());
            }

            @Override
            public ChannelState state(String channelId) {
                return contract.state(channelId);
            }
        });
    }

    /** Redeems every channel that has something to redeem; one failing channel does not stop the others. */
    public synchronized List<Outcome> redeemAll() {
        List<Outcome> out = new ArrayList<>();
        for (ProviderLedger.Redeemable r : ledger.unredeemed()) {
            out.add(redeem(r));
        }
        return List.copyOf(out);
    }

    /**
     * Redeems, now, the channels with something to redeem whose payer asked to close them (their challenge window is
     * running: after it the rest of the deposit goes back to the payer), telling {@code closing} each one's id first so
     * no new voucher is accepted on it. Channels the chain cannot be asked about are left for the next check.
     */
    public synchronized List<Outcome> redeemClosing(Consumer<String> closing) {
        List<Outcome> out = new ArrayList<>();
        for (ProviderLedger.Redeemable r : ledger.unredeemed()) {
            ChannelState state;
            try {
                state = channels.state(r.channel().id());
            } catch (HyphaException e) {
                continue;
            }
            if (!state.isOpen()) {
                closing.accept(r.channel().id());
                out.add(redeem(r));
            }
        }
        return List.copyOf(out);
    }

    private Outcome redeem(ProviderLedger.Redeemable r) {
        String id = r.channel().id();
        String error = null;
        try {
            channels.redeem(r);
        } catch (HyphaException e) {
            error = e.getMessage();
        }
        try {
            BigInteger onChain = channels.state(id).redeemed();
            ledger.redeemed(id, onChain);
            return new Outcome(id, onChain, error);
        } catch (HyphaException e) {
            return new Outcome(id, r.redeemed(), error != null ? error : "cannot read the channel: " + e.getMessage());
        }
    }
}
