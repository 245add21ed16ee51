package dev.hypha.node.agents;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.deploy.AgentAccountsClient;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.mcp.X402Payer;
import dev.hypha.node.x402.Eip3009Authorization;
import dev.hypha.node.x402.ExactPayment;
import dev.hypha.node.x402.ExactRequirement;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Optional;
import org.web3j.crypto.Credentials;

/**
 * Pays x402 {@code exact} offers from an agent's AgentAccount with the runtime's session key: the key books the
 * EIP-3009 transfer on the account ({@code authorizeTransfer}), where the chain checks and charges the policy (limit
 * per period, maximum per call, counterparties, the key's cap), and the payment then names the account as payer,
 * whose ERC-1271 check accepts the booked digest. A refused spend fails here with the contract's reason, before any
 * payment leaves. Journaled for one step: the intent is forced to disk before booking, and a resumed step reuses its
 * intent's nonce, so a payment made before a crash is never made twice.
 */
public final class AgentAccountPayer implements X402Payer {
    /** Seconds of validity asked of an authorization beyond the offer's window floor (the facilitator wants a margin). */
    static final long MIN_WINDOW_SECONDS = 60;
    /** Longest authorization window (the account's MAX_AUTHORIZATION_WINDOW is a day). */
    static final long MAX_WINDOW_SECONDS = 3_600;

    private final AgentAccountsClient.Account account;
    private final Credentials sessionKey;
    private final ChainClient chain;
    private final SpendJournal journal;
    private final int step;
    private final SecureRandom random;
    private Optional<SpendJournal.Intent> resumed;

    /**
     * @param account    the agent's account, driven as the session key
     * @param sessionKey the runtime's key (signs the payment's authorization; the account accepts it because it booked it)
     * @param resumed    the step's unfinished payment from before a restart, if any
     */
    public AgentAccountPayer(AgentAccountsClient.Account account, Credentials sessionKey, ChainClient chain,
                             SpendJournal journal, int step, Optional<SpendJournal.Intent> resumed, SecureRandom random) {
        this.account = Objects.requireNonNull(account, "account");
        this.sessionKey = Objects.requireNonNull(sessionKey, "sessionKey");
        this.chain = Objects.requireNonNull(chain, "chain");
        this.journal = Objects.requireNonNull(journal, "journal");
        this.step = step;
        this.resumed = Objects.requireNonNull(resumed, "resumed");
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public ExactPayment pay(ExactRequirement offer, ObjectNode offerJson, String resourceUrl) {
        long now = chain.latestBlock().getTimestamp().longValueExact();
        Address from = Address.parse(account.address());
        SpendJournal.Intent intent = resumed.filter(i -> matches(i, offer, now)).orElse(null);
        if (intent == null) {
            byte[] nonce = new byte[32];
            random.nextBytes(nonce);
            long window = Math.clamp(offer.maxTimeoutSeconds(), MIN_WINDOW_SECONDS, MAX_WINDOW_SECONDS);
            intent = new SpendJournal.Intent(step, Hex.encode(nonce), offer.payTo().lowercaseHex(),
                    offer.amount().toString(), now + window, Optional.empty());
            journal.intent(intent); // on disk before the account is charged
        }
        resumed = Optional.empty();
        Eip3009Authorization auth = new Eip3009Authorization(from, offer.payTo(), offer.amount(), BigInteger.ZERO,
                BigInteger.valueOf(intent.validBefore()), intent.nonce());
        byte[] digest = Eip712.hash(auth.typedData(offer));
        if (Address.parse(account.bookedBy(digest)).equals(Address.parse("0x0000000000000000000000000000000000000000"))) {
            String tx = account.authorizeTransfer(offer.asset().lowercaseHex(), offer.payTo().lowercaseHex(),
                    offer.amount(), 0, intent.validBefore(), Hex.decode(intent.nonce())).getTransactionHash();
            journal.booked(step, tx);
        }
        byte[] signature = Eip712.sign(auth.typedData(offer), sessionKey).toBytes();
        return new ExactPayment(Optional.of(resourceUrl), offer, offerJson, auth, signature);
    }

    /** A resumed intent still pays this offer and has time left to settle. */
    private static boolean matches(SpendJournal.Intent i, ExactRequirement offer, long now) {
        return i.payTo().equalsIgnoreCase(offer.payTo().lowercaseHex()) && i.value().equals(offer.amount().toString())
                && i.validBefore() > now + MIN_WINDOW_SECONDS / 2;
    }

    /** Whether {@code e} is the account refusing a spend (its policy), as opposed to a network or node failure. */
    static boolean refusedByPolicy(HyphaException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("AgentAccount:");
    }
}
