package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.bytes32;
import static dev.hypha.chain.deploy.ContractCalls.read;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.contracts.AgentAccount;
import dev.hypha.chain.contracts.AgentAccountFactory;
import java.math.BigInteger;
import java.util.Locale;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * AgentAccountFactory and the AgentAccounts it creates: ERC-4337 smart accounts for agents whose spending policy
 * (per-token limit per period, maximum per call, counterparty allowlists, session keys with caps) the contract
 * enforces, whatever the agent's runtime signs. {@link #create} makes one owned by this account; {@link #at} drives
 * an existing one (owner calls, and a session key's {@code pay}).
 */
public final class AgentAccountsClient {
    /** The factory's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "AgentAccountFactory";
    /** The created accounts' contract name (in ABIs and decoded errors). */
    public static final String ACCOUNT = "AgentAccount";

    private final ContractCalls calls;
    private final AgentAccountFactory factory;

    AgentAccountsClient(ContractCalls calls) {
        this.calls = calls;
        this.factory = calls.binding(NAME, AgentAccountFactory::load);
    }

    /** Where {@link #create} with these settings deploys (fund it first if you like: CREATE2). */
    public String predict(String owner, String guardian, long recoveryDelaySeconds, byte[] salt) {
        return read(NAME + ".getAddress", () -> factory.getAddress(ContractCalls.address(owner), ContractCalls.address(guardian),
                BigInteger.valueOf(recoveryDelaySeconds), bytes32("salt", salt)).send()).toLowerCase(Locale.ROOT);
    }

    /**
     * Creates an account owned by this account (or returns the one these settings already created).
     *
     * @param guardian             may freeze it and propose recovery (not the owner)
     * @param recoveryDelaySeconds how long a recovery waits (≥ 1 day outside the local chain)
     * @param salt                 32 bytes telling this owner's accounts apart
     * @return the account's address (lower-case hex)
     */
    public String create(String guardian, long recoveryDelaySeconds, byte[] salt) {
        String owner = calls.account();
        if (owner.equalsIgnoreCase(guardian)) {
            throw ChainErrors.input("an agent account's guardian must not be its owner " + owner);
        }
        String predicted = predict(owner, guardian, recoveryDelaySeconds, salt);
        calls.write(NAME, "createAccount", factory.createAccount(ContractCalls.address(owner), ContractCalls.address(guardian),
                BigInteger.valueOf(recoveryDelaySeconds), bytes32("salt", salt)));
        String code = calls.client().code(predicted);
        if (code == null || code.equals("0x")) {
            throw ChainErrors.chain("AgentAccountFactory.createAccount left no account at " + predicted);
        }
        return predicted;
    }

    /** The account at {@code address}, used as this account (its owner, guardian or a session key). */
    public Account at(String address) {
        return new Account(ContractCalls.address(address));
    }

    /** A token's spending policy on an agent account (see {@link Account#policy}). */
    public record Policy(BigInteger periodLimit, BigInteger maxPerCall, long periodSeconds, boolean enabled) {}

    /** One agent account. */
    public final class Account {
        private final String address;
        private final AgentAccount binding;

        private Account(String address) {
            this.address = address;
            this.binding = calls.bindingAt(ACCOUNT, address, AgentAccount::load);
        }

        /** Its address. */
        public String address() {
            return address;
        }

        /** Sets the limit of {@code token} (owner only); changing the period restarts its window. */
        public TransactionReceipt setLimit(String token, dev.hypha.chain.agents.SpendingLimit limit) {
            return write("setTokenPolicy", binding.setTokenPolicy(ContractCalls.address(token), true, limit.periodLimit(),
                    limit.maxPerCall(), BigInteger.valueOf(limit.periodSeconds())));
        }

        /** Stops all session spending of {@code token} (owner only). */
        public TransactionReceipt disableToken(String token) {
            return write("setTokenPolicy", binding.setTokenPolicy(ContractCalls.address(token), false, BigInteger.ZERO, BigInteger.ZERO,
                    BigInteger.ONE));
        }

        /** Allows or forbids paying {@code counterparty} (owner only). */
        public TransactionReceipt setCounterparty(String counterparty, boolean allowed) {
            return write("setCounterparty", binding.setCounterparty(ContractCalls.address(counterparty), allowed));
        }

        /**
         * Grants a runtime's session key (owner only): valid between the two unix times, with a gas budget in wei for
         * its user operations, at most {@code cap} of {@code token} in all, paying only {@code counterparty}.
         */
        public void grantSession(String key, long validAfter, long validUntil, BigInteger gasBudget, String token,
                                 BigInteger cap, String counterparty) {
            write("grantSession", binding.grantSession(ContractCalls.address(key), BigInteger.valueOf(validAfter),
                    BigInteger.valueOf(validUntil), gasBudget));
            write("setSessionCap", binding.setSessionCap(ContractCalls.address(key), ContractCalls.address(token), cap));
            write("setSessionCounterparty", binding.setSessionCounterparty(ContractCalls.address(key), ContractCalls.address(counterparty), true));
        }

        /** Lets session {@code key} also pay {@code counterparty} (owner only; the account must allow it too). */
        public TransactionReceipt allowSessionCounterparty(String key, String counterparty) {
            return write("setSessionCounterparty", binding.setSessionCounterparty(ContractCalls.address(key),
                    ContractCalls.address(counterparty), true));
        }

        /** A session key pays {@code amount} of {@code token} to {@code to} (this account must be that key). */
        public TransactionReceipt pay(String token, String to, BigInteger amount) {
            return write("pay", binding.pay(ContractCalls.address(calls.account()), ContractCalls.address(token), ContractCalls.address(to), amount));
        }

        /**
         * A session key books an EIP-3009 transfer of {@code value} of {@code token} from this account to {@code to}
         * (this account must be that key): the account checks and charges its policy now, and from then on accepts
         * the authorization's digest as signed (ERC-1271), so whoever holds the authorization can settle it once.
         *
         * @param nonce the authorization's 32-byte nonce
         */
        public TransactionReceipt authorizeTransfer(String token, String to, BigInteger value, long validAfter,
                                                    long validBefore, byte[] nonce) {
            return write("authorizeTransfer", binding.authorizeTransfer(ContractCalls.address(calls.account()),
                    ContractCalls.address(token), ContractCalls.address(to), value, BigInteger.valueOf(validAfter),
                    BigInteger.valueOf(validBefore), bytes32("nonce", nonce)));
        }

        /** The session key that booked the EIP-3009 {@code digest} (lower-case hex), or the zero address if none did. */
        public String bookedBy(byte[] digest) {
            return read(ACCOUNT + ".authorizedDigestSession",
                    () -> binding.authorizedDigestSession(bytes32("digest", digest)).send()).toLowerCase(Locale.ROOT);
        }

        /** Lets session keys fund channels on {@code channels} (owner only; a Hypha deployment's PaymentChannels). */
        public TransactionReceipt setTrustedChannels(String channels) {
            return write("setTrustedChannels", binding.setTrustedChannels(ContractCalls.address(channels)));
        }

        /**
         * A session key opens {@code channel} with {@code amount} (this account must be that key): the account checks
         * and charges its policy (the deposit counts as spent now) and must be the channel's payer and signer, so the
         * key's vouchers are valid through the account's ERC-1271 up to what it deposited, even after a later freeze,
         * expiry or revocation; the channel becomes this key's ({@link #channelKey}): no other key may top it up.
         */
        public TransactionReceipt openChannel(ChannelParams channel, BigInteger amount) {
            return write("openChannel", binding.openChannel(ContractCalls.address(calls.account()), struct(channel), amount));
        }

        /** A session key adds {@code amount} to {@code channel} within the policy (this account must be that key). */
        public TransactionReceipt topUpChannel(ChannelParams channel, BigInteger amount) {
            return write("topUpChannel", binding.topUpChannel(ContractCalls.address(calls.account()), struct(channel), amount));
        }

        /** The owner has the account call {@code target} with {@code calldata} (no value): the account acts, e.g. rates. */
        public TransactionReceipt execute(String target, String calldata) {
            return write("execute", binding.execute(ContractCalls.address(target), BigInteger.ZERO,
                    org.web3j.utils.Numeric.hexStringToByteArray(calldata)));
        }

        /** Stops every session at once (owner or guardian). */
        public TransactionReceipt freeze() {
            return write("freeze", binding.freeze());
        }

        /** Lets sessions spend again (owner only). */
        public TransactionReceipt unfreeze() {
            return write("unfreeze", binding.unfreeze());
        }

        /** The session key that funded channel {@code channelId} (lower-case hex; the zero address when none did). */
        public String channelKey(String channelId) {
            return read(ACCOUNT + ".channelKey", () -> binding.channelKey(org.web3j.utils.Numeric.hexStringToByteArray(
                    channelId)).send()).toLowerCase(Locale.ROOT);
        }

        /** Whether it is frozen. */
        public boolean frozen() {
            return read(ACCOUNT + ".frozen", () -> binding.frozen().send());
        }

        /** Its owner (lower-case hex). */
        public String owner() {
            return read(ACCOUNT + ".owner", () -> binding.owner().send()).toLowerCase(Locale.ROOT);
        }

        /**
         * The spending policy of {@code token}: the limit per window, the most one call may spend, the window's length
         * in seconds, and whether sessions may spend it at all.
         */
        public Policy policy(String token) {
            var t = read(ACCOUNT + ".tokenPolicy", () -> binding.tokenPolicy(ContractCalls.address(token)).send());
            AgentAccount.TokenPolicy p = t.component1();
            return new Policy(p.periodLimit, p.maxPerCall, p.period.longValueExact(), t.component2());
        }

        /** What sessions may still spend of {@code token} in the current window. */
        public BigInteger remainingInPeriod(String token) {
            return read(ACCOUNT + ".remainingInPeriod", () -> binding.remainingInPeriod(ContractCalls.address(token)).send());
        }

        private TransactionReceipt write(String function, org.web3j.protocol.core.RemoteFunctionCall<TransactionReceipt> call) {
            return calls.writeTo(ACCOUNT, address, function, call);
        }
    }

    private static AgentAccount.Channel struct(ChannelParams c) {
        return new AgentAccount.Channel(c.payer().lowercaseHex(), c.provider().lowercaseHex(), c.token().lowercaseHex(),
                c.signer().lowercaseHex(), org.web3j.utils.Numeric.hexStringToByteArray(c.salt()));
    }
}
