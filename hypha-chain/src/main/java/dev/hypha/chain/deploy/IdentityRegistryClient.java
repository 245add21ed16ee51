package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.read;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.contracts.IdentityRegistry;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * IdentityRegistry (ERC-8004 identity): agents as ERC-721 tokens whose URI points to their registration file.
 * Registering mints to this account; the agent's wallet starts as its owner.
 */
public final class IdentityRegistryClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "IdentityRegistry";
    /** Longest agent URI the contract stores. */
    public static final int MAX_URI_BYTES = 2048;

    private final ContractCalls calls;
    private final IdentityRegistry binding;

    IdentityRegistryClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, IdentityRegistry::load);
    }

    /** The registry's address. */
    public String address() {
        return calls.deployment().address(NAME);
    }

    /** Registers an agent whose registration file is at {@code agentUri}; returns its agent id. */
    public BigInteger register(String agentUri) {
        checkUri(agentUri);
        return registeredAgentId(calls.write(NAME, "register", binding.register(agentUri)));
    }

    /**
     * The calldata of {@code register(agentUri)}, for an account that registers itself (a smart account's
     * {@code execute}: the agent is then minted to the account).
     */
    public String registerCall(String agentUri) {
        checkUri(agentUri);
        return binding.register(agentUri).encodeFunctionCall();
    }

    /** The calldata of {@code setAgentURI(agentId, agentUri)}, for an owner that is a smart account. */
    public String setAgentUriCall(BigInteger agentId, String agentUri) {
        checkUri(agentUri);
        return binding.setAgentURI(agentId, agentUri).encodeFunctionCall();
    }

    /** The agent id a registering transaction's receipt reports (whoever sent it). */
    public static BigInteger registeredAgentId(TransactionReceipt receipt) {
        List<IdentityRegistry.RegisteredEventResponse> events = IdentityRegistry.getRegisteredEvents(receipt);
        if (events.size() != 1) {
            throw ChainErrors.chain("IdentityRegistry.register: receipt " + receipt.getTransactionHash() + " has "
                    + events.size() + " Registered events, expected 1");
        }
        return events.getFirst().agentId;
    }

    /** Points agent {@code agentId} (owned or operated by this account) at a new registration file. */
    public TransactionReceipt setAgentUri(BigInteger agentId, String agentUri) {
        checkUri(agentUri);
        return calls.write(NAME, "setAgentURI", binding.setAgentURI(agentId, agentUri));
    }

    /** The agent's registration-file URI (ERC-721 tokenURI). */
    public String agentUri(BigInteger agentId) {
        return read(NAME + ".tokenURI", () -> binding.tokenURI(agentId).send());
    }

    /** The agent's owner (lower-case hex). */
    public String ownerOf(BigInteger agentId) {
        return read(NAME + ".ownerOf", () -> binding.ownerOf(agentId).send()).toLowerCase(Locale.ROOT);
    }

    /** The wallet the agent is paid at (its owner until changed with the wallet's consent; zero after a transfer). */
    public String agentWallet(BigInteger agentId) {
        return read(NAME + ".getAgentWallet", () -> binding.getAgentWallet(agentId).send()).toLowerCase(Locale.ROOT);
    }

    /** How many agents were ever registered. */
    public BigInteger totalAgents() {
        return read(NAME + ".totalAgents", () -> binding.totalAgents().send());
    }

    /** Sets an on-chain metadata entry of the agent (not {@code agentWallet}, which needs the wallet's consent). */
    public TransactionReceipt setMetadata(BigInteger agentId, String key, byte[] value) {
        return calls.write(NAME, "setMetadata", binding.setMetadata(agentId, key, value));
    }

    /** An on-chain metadata entry (empty when unset). */
    public byte[] metadata(BigInteger agentId, String key) {
        return read(NAME + ".getMetadata", () -> binding.getMetadata(agentId, key).send());
    }

    /** Whether {@code account} owns or may operate agent {@code agentId}. */
    public boolean isAuthorizedOrOwner(String account, BigInteger agentId) {
        return read(NAME + ".isAuthorizedOrOwner", () -> binding.isAuthorizedOrOwner(ContractCalls.address(account), agentId).send());
    }

    private static void checkUri(String uri) {
        if (uri == null || uri.getBytes(StandardCharsets.UTF_8).length > MAX_URI_BYTES) {
            throw ChainErrors.input("an agent URI is at most " + MAX_URI_BYTES + " bytes");
        }
    }
}
