package dev.hypha.chain.deploy;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.ChainException;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.chain.tx.TxRequest;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.WalletUtils;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.tx.gas.DefaultGasProvider;

/**
 * The reader and writer every contract client shares: reads go through the generated bindings over
 * {@link ChainClient} (timeouts, retries, decoded reverts), writes through one {@link TransactionSender} (nonces, fees,
 * decoded reverts). Read-only calls ({@link #readOnly}) have no sender and refuse writes.
 */
public final class ContractCalls {
    /** The {@code from} of read calls made without an account: nothing is signed, so any address would do. */
    private static final String NO_ACCOUNT = "0x0000000000000000000000000000000000000000";
    private static final BigInteger UINT256_MAX = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);

    private final Deployment deployment;
    private final ChainClient client;
    private final RevertDecoder decoder;
    private final String from;
    /** Null for {@link #readOnly}. */
    private final TransactionSender sender;

    private ContractCalls(Deployment deployment, ChainClient client, RevertDecoder decoder, String from,
                          TransactionSender sender) {
        this.deployment = Objects.requireNonNull(deployment, "deployment");
        this.client = Objects.requireNonNull(client, "client");
        this.decoder = decoder;
        this.from = from;
        this.sender = sender;
    }

    /** Calls to {@code deployment}'s contracts as {@code sender}'s account. */
    public static ContractCalls connect(Deployment deployment, TransactionSender sender) {
        Objects.requireNonNull(sender, "sender");
        return new ContractCalls(deployment, sender.client(), sender.decoder(), sender.address(), sender);
    }

    /** Read-only calls to {@code deployment}'s contracts (from the zero address; reverts decoded for Hypha's ABIs). */
    public static ContractCalls readOnly(Deployment deployment, ChainClient client) {
        return new ContractCalls(deployment, client, RevertDecoder.forHyphaContracts(), NO_ACCOUNT, null);
    }

    /** The deployment these calls go to. */
    public Deployment deployment() {
        return deployment;
    }

    /** The chain client. */
    public ChainClient client() {
        return client;
    }

    /** Whether these calls have no account and so cannot send transactions. */
    public boolean isReadOnly() {
        return sender == null;
    }

    /**
     * The account writes are sent from.
     *
     * @throws ChainException (INTERNAL) for read-only calls, which have no account
     */
    public String account() {
        return signer("account()").address();
    }

    /** The sender of writes, or a clear error for read-only calls (a bug in the caller, not user input). */
    TransactionSender signer(String what) {
        if (sender == null) {
            throw ChainErrors.internal(what + " needs an account, but these contracts were opened read-only"
                    + " (use HyphaContracts.connect with a TransactionSender)", null);
        }
        return sender;
    }

    /** A generated binding's loader, e.g. {@code Staking::load}. */
    @FunctionalInterface
    interface BindingLoader<B> {
        B load(String address, Web3j web3j, TransactionManager manager, ContractGasProvider gas);
    }

    /** The binding of the deployed contract {@code name}, reading through this account (or none). */
    <B> B binding(String name, BindingLoader<B> loader) {
        // Bindings need a gas provider; writes never use it (they go through TransactionSender).
        return loader.load(deployment.address(name), client.web3j(), new ChainCallManager(client, from, decoder, name),
                new DefaultGasProvider());
    }

    /**
     * The binding of a contract of type {@code name} at {@code address}, which is not part of the deployment (one
     * AgentAccount of many).
     */
    <B> B bindingAt(String name, String address, BindingLoader<B> loader) {
        return loader.load(address(address), client.web3j(), new ChainCallManager(client, from, decoder, name),
                new DefaultGasProvider());
    }

    /** Sends {@code call} to the contract of type {@code contract} at {@code address} and waits for its receipt. */
    TransactionReceipt writeTo(String contract, String address, String function, RemoteFunctionCall<TransactionReceipt> call) {
        return signer(contract + "." + function).send(TxRequest.call(contract, function, address(address),
                call.encodeFunctionCall()));
    }

    /** Runs a read, turning any failure into a CHAIN error naming {@code what} (e.g. "Staking.stakeOf"). */
    static <T> T read(String what, Callable<T> call) {
        try {
            return call.call();
        } catch (ChainException e) {
            throw e;
        } catch (Exception e) {
            throw ChainErrors.chain(what + " failed: " + e.getMessage(), e);
        }
    }

    /** Sends {@code call} to the deployed {@code contract} and waits for its receipt. */
    TransactionReceipt write(String contract, String function, RemoteFunctionCall<TransactionReceipt> call) {
        return signer(contract + "." + function).send(
                TxRequest.call(contract, function, deployment.address(contract), call.encodeFunctionCall()));
    }

    /** Sends ABI-encoded {@code calldata} to the deployed {@code contract} (calls whose arguments bindings cannot type). */
    TransactionReceipt writeEncoded(String contract, String function, String calldata) {
        return signer(contract + "." + function).send(
                TxRequest.call(contract, function, deployment.address(contract), calldata));
    }

    /**
     * Approves the deployed {@code contract} to pull {@code amount} of any ERC-20 {@code token} from this account when
     * the allowance is short (the escrowing contracts pull their deposits with transferFrom).
     */
    void approveIfShort(String contract, dev.hypha.core.crypto.Address token, BigInteger amount) {
        TransactionSender sender = signer(contract + ".approve");
        String spender = deployment.address(contract);
        Function allowance = new Function("allowance", List.<Type>of(new org.web3j.abi.datatypes.Address(sender.address()),
                new org.web3j.abi.datatypes.Address(spender)), List.of(new TypeReference<Uint256>() {}));
        String raw = sender.call(TxRequest.call("ERC20", "allowance", token.lowercaseHex(), FunctionEncoder.encode(allowance)));
        List<Type> decoded = FunctionReturnDecoder.decode(raw, allowance.getOutputParameters());
        if (decoded.isEmpty()) {
            throw ChainErrors.chain("token " + token + " answered allowance() with nothing: is it an ERC-20?");
        }
        if (((Uint256) decoded.getFirst()).getValue().compareTo(amount) < 0) {
            Function approve = new Function("approve", List.<Type>of(new org.web3j.abi.datatypes.Address(spender),
                    new Uint256(amount)), List.of());
            sender.send(TxRequest.call("ERC20", "approve", token.lowercaseHex(), FunctionEncoder.encode(approve)));
        }
    }

    /** A checked, lower-case address. */
    static String address(String a) {
        if (a == null || !WalletUtils.isValidAddress(a) || !a.startsWith("0x")) {
            throw ChainErrors.input("bad address '" + a + "': expected 0x followed by 40 hex digits");
        }
        return a.toLowerCase(Locale.ROOT);
    }

    /** A checked uint256. */
    static BigInteger uint256(String what, BigInteger v) {
        if (v == null || v.signum() < 0 || v.compareTo(UINT256_MAX) > 0) {
            throw ChainErrors.input(what + " must be between 0 and 2^256-1, was " + v);
        }
        return v;
    }

    /** A checked bytes32. */
    static byte[] bytes32(String what, byte[] v) {
        if (v == null || v.length != 32) {
            throw ChainErrors.input(what + " must be exactly 32 bytes");
        }
        return v;
    }
}
