package dev.hypha.node.agents;

import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.ChannelState;
import dev.hypha.chain.deploy.AgentAccountsClient;
import dev.hypha.chain.deploy.PaymentChannelsClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.x402.UptoChannelClient;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.util.Objects;
import org.web3j.crypto.Credentials;

/**
 * A payment channel that an agent's AgentAccount funds and its session key signs for, paying x402 {@code upto}
 * offers ({@link UptoChannelClient}). The account is the channel's payer and signer, so the deposit goes through the
 * account's on-chain policy ({@code openChannel}: limit per period, maximum per call, the provider an allowed
 * counterparty of the account and of the key, the key's cap) and counts as spent when made; each voucher is signed by
 * the session key that funded the channel and is valid, through the account's ERC-1271, up to what was deposited, even
 * if the owner later freezes the account or revokes the key (the provider keeps what the work earned). A call then
 * costs no transaction: the provider reserves the offer's maximum and charges what the work cost.
 */
public final class AccountChannel {
    private AccountChannel() {}

    /** The channel of {@code account} to {@code provider} in {@code token} numbered {@code salt} (payer = signer). */
    public static ChannelParams params(Address account, Address provider, Address token, long salt) {
        return new ChannelParams(account, provider, token, account, ChannelParams.salt(salt));
    }

    /** Most channel numbers {@link #usable} tries (each costs a read or two). */
    public static final int MAX_SALTS = 64;

    /**
     * The account's first channel to {@code provider} in {@code token} that {@code key} can pay with: one not opened
     * yet, or one open and funded by that key (a settled or closing channel, or one another key funded, cannot take
     * its vouchers, so the next number is tried).
     *
     * @throws HyphaException INPUT when none of the first {@value #MAX_SALTS} is usable
     */
    public static ChannelParams usable(AgentAccountsClient.Account accountAsKey, PaymentChannelsClient channels,
                                       Address provider, Address token, Address key) {
        Address account = Address.parse(accountAsKey.address());
        for (long salt = 0; salt < MAX_SALTS; salt++) {
            ChannelParams c = params(account, provider, token, salt);
            ChannelState state = channels.state(c.id());
            if (!state.exists() || (state.isOpen() && Address.parse(accountAsKey.channelKey(c.id())).equals(key))) {
                return c;
            }
        }
        throw HyphaException.input("account " + account.toChecksumString() + " has no usable channel to "
                + provider.toChecksumString() + " among its first " + MAX_SALTS + " (each settled, closing or funded by"
                + " another key)");
    }

    /**
     * Makes sure {@code channel} exists on chain, opening it with {@code deposit} through the account's policy when it
     * does not (so a restart after the open, before it was recorded, does not deposit twice), and tracks its deposit in
     * {@code ledger}.
     *
     * @param accountAsKey the account driven by its session key
     * @throws HyphaException CHAIN naming the policy's refusal (e.g. {@code AgentAccount: AboveMaxPerCall(...)})
     */
    public static ChannelState ensureOpen(AgentAccountsClient.Account accountAsKey, PaymentChannelsClient channels,
                                          PayerLedger ledger, ChannelParams channel, BigInteger deposit) {
        if (!channel.payer().equals(channel.signer()) || !channel.payer().equals(Address.parse(accountAsKey.address()))) {
            throw HyphaException.input("channel " + channel.id() + " is not the account " + accountAsKey.address()
                    + "'s own (it must be both payer and signer)");
        }
        ChannelState state = channels.state(channel.id());
        if (!state.exists()) {
            accountAsKey.openChannel(channel, deposit);
            state = channels.state(channel.id());
        }
        if (!state.isOpen()) {
            throw HyphaException.input("channel " + channel.id() + " is " + (state.settled() ? "settled" : "closing")
                    + ": use another salt");
        }
        ledger.track(channel, state.deposit());
        return state;
    }

    /**
     * A client paying {@code upto} offers of {@code channel}'s provider with vouchers {@code sessionKey} signs.
     *
     * @param charged what the provider has charged the channel so far (0 for a new channel)
     */
    public static UptoChannelClient client(HttpClient http, PayerLedger ledger, ChannelParams channel, long chainId,
                                           Address channelsContract, BigInteger maxPerCall, Credentials sessionKey,
                                           BigInteger charged) {
        Objects.requireNonNull(sessionKey, "sessionKey");
        return new UptoChannelClient(http, ledger, channel, chainId, channelsContract, maxPerCall,
                data -> Eip712.sign(data, sessionKey), charged);
    }
}
