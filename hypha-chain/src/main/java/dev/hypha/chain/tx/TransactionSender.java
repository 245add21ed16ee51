package dev.hypha.chain.tx;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.rpc.RpcErrorException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * Signs, sends and waits for transactions from one account: gas estimated by the node (plus a
 * margin), EIP-1559 fees from the latest base fee and the node's priority fee, nonces from a shared
 * {@link NonceManager}, receipts polled with a bound. Reverts, whether found while estimating or
 * in a mined receipt, surface as a CHAIN error whose text comes from {@link RevertDecoder}.
 * Thread-safe: many threads may send through one instance.
 */
public final class TransactionSender {

    /** Receipt polling and gas policy. */
    public record Options(Duration receiptTimeout, Duration pollInterval, int gasMarginPercent) {
        /** Two minutes for a receipt, polled every 100 ms; 20 % over the estimate. */
        public static final Options DEFAULT = new Options(Duration.ofMinutes(2), Duration.ofMillis(100), 20);

        public Options {
            Objects.requireNonNull(receiptTimeout, "receiptTimeout");
            Objects.requireNonNull(pollInterval, "pollInterval");
            if (gasMarginPercent < 0 || gasMarginPercent > 1000) {
                throw new IllegalArgumentException("gasMarginPercent must be 0..1000, was " + gasMarginPercent);
            }
        }
    }

    private final ChainClient client;
    private final Credentials credentials;
    private final NonceManager nonces;
    private final RevertDecoder decoder;
    private final Options options;
    private volatile Long chainId;

    /** A sender with default options. */
    public TransactionSender(ChainClient client, Credentials credentials, NonceManager nonces, RevertDecoder decoder) {
        this(client, credentials, nonces, decoder, Options.DEFAULT);
    }

    /** A sender for {@code credentials}' account. */
    public TransactionSender(ChainClient client, Credentials credentials, NonceManager nonces, RevertDecoder decoder,
                             Options options) {
        this.client = Objects.requireNonNull(client, "client");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.nonces = Objects.requireNonNull(nonces, "nonces");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** The sending account's address (lower-case 0x hex). */
    public String address() {
        return credentials.getAddress();
    }

    /**
     * Signs EIP-712 typed data with this sender's key (e.g. an ERC-2612 permit), so callers never
     * handle the key itself.
     */
    public dev.hypha.core.crypto.Signature signTypedData(dev.hypha.core.crypto.TypedData data) {
        return dev.hypha.core.crypto.Eip712.sign(data, credentials);
    }

    /** The client this sender talks through. */
    public ChainClient client() {
        return client;
    }

    /** The decoder used for revert reasons. */
    public RevertDecoder decoder() {
        return decoder;
    }

    /**
     * Sends and waits until mined.
     *
     * @return the successful receipt (for a creation, its contract address is set)
     * @throws dev.hypha.chain.ChainException CHAIN with the decoded revert reason, NETWORK when the
     *     node is unreachable
     */
    public TransactionReceipt send(TxRequest request) {
        return confirm(request, submit(request));
    }

    /**
     * Waits for a submitted transaction's receipt and checks its status.
     *
     * @param request what was submitted (for the error text and revert decoding)
     * @param hash the hash {@link #submit} returned
     * @return the successful receipt
     * @throws dev.hypha.chain.ChainException CHAIN with the decoded revert reason when it failed
     */
    public TransactionReceipt confirm(TxRequest request, String hash) {
        TransactionReceipt receipt = awaitReceipt(request, hash);
        if (!receipt.isStatusOK()) {
            throw ChainErrors.chain(request.label() + " reverted: " + replayRevert(request, receipt)
                    + " (tx " + hash + ", block " + receipt.getBlockNumber() + ")");
        }
        return receipt;
    }

    /**
     * Estimates, signs and submits without waiting for the receipt.
     *
     * @return the transaction hash
     */
    public String submit(TxRequest request) {
        BigInteger gasLimit = estimateGas(request);
        Fees fees = fees();
        long id = chainId();
        for (int attempt = 1; ; attempt++) {
            try {
                return nonces.submit(address(), nonce -> signAndSend(request, id, nonce, gasLimit, fees));
            } catch (RpcErrorException e) {
                String msg = e.rpcMessage().toLowerCase(Locale.ROOT);
                // Someone else (another process, a wallet) used this account: our cached nonce is stale.
                // The NonceManager already resynced; try again with the node's count.
                if (msg.contains("nonce too low") && attempt < 3) {
                    continue;
                }
                throw ChainErrors.chain(request.label() + " was rejected by the node: " + e.rpcMessage(), e);
            }
        }
    }

    /**
     * Runs the request as an eth_call from this account (no transaction) and returns the raw
     * result; a revert surfaces as a CHAIN error with its decoded reason.
     */
    public String call(TxRequest request) {
        try {
            return client.call(asCall(request));
        } catch (RpcErrorException e) {
            throw revertError(request, e);
        }
    }

    private String signAndSend(TxRequest request, long id, BigInteger nonce, BigInteger gasLimit, Fees fees) {
        String to = request.to().orElse("");
        RawTransaction raw = fees.eip1559()
                ? RawTransaction.createTransaction(id, nonce, gasLimit, to, request.value(), request.data(),
                        fees.maxPriorityFee(), fees.maxFee())
                : RawTransaction.createTransaction(nonce, fees.gasPrice(), gasLimit, to, request.value(), request.data());
        byte[] signed = fees.eip1559()
                ? TransactionEncoder.signMessage(raw, credentials)
                : TransactionEncoder.signMessage(raw, id, credentials);
        String hex = Numeric.toHexString(signed);
        try {
            return client.sendRawTransaction(hex);
        } catch (RpcErrorException e) {
            if (e.rpcMessage().toLowerCase(Locale.ROOT).contains("already known")) {
                // A retried request the node had already accepted: the hash is that of our bytes.
                return Hash.sha3(hex);
            }
            throw e;
        }
    }

    private BigInteger estimateGas(TxRequest request) {
        if (request.gasLimit().isPresent()) {
            return request.gasLimit().get();
        }
        BigInteger estimate;
        try {
            estimate = client.estimateGas(asCall(request));
        } catch (RpcErrorException e) {
            throw revertError(request, e);
        }
        BigInteger margin = estimate.multiply(BigInteger.valueOf(options.gasMarginPercent())).divide(BigInteger.valueOf(100));
        return estimate.add(margin);
    }

    private RuntimeException revertError(TxRequest request, RpcErrorException e) {
        Optional<String> data = e.revertData();
        if (data.isPresent()) {
            return ChainErrors.chain(request.label() + " reverted: " + decoder.decode(data.get(), request.contract()), e);
        }
        return ChainErrors.chain(request.label() + " failed: " + e.rpcMessage(), e);
    }

    private Transaction asCall(TxRequest request) {
        return new Transaction(address(), null, null, null, request.to().orElse(null), request.value(), request.data());
    }

    private String replayRevert(TxRequest request, TransactionReceipt receipt) {
        // A receipt carries no reason, so re-run the call. The state the transaction saw lies between
        // the parent block (before the whole block) and the block itself (after it); try both, since
        // a revert caused by an earlier transaction in the same block only reproduces on the latter.
        BigInteger block = receipt.getBlockNumber();
        for (BigInteger at : List.of(block.subtract(BigInteger.ONE).max(BigInteger.ZERO), block)) {
            try {
                client.send("eth_call", client.web3j().ethCall(asCall(request), DefaultBlockParameter.valueOf(at)));
            } catch (RpcErrorException e) {
                return e.revertData().map(d -> decoder.decode(d, request.contract())).orElse(e.rpcMessage());
            }
        }
        return "status 0, but the call succeeds when replayed (out of gas, or state that changed within the block)";
    }

    private TransactionReceipt awaitReceipt(TxRequest request, String hash) {
        long deadline = System.nanoTime() + options.receiptTimeout().toNanos();
        while (true) {
            Optional<TransactionReceipt> receipt = client.receipt(hash);
            if (receipt.isPresent()) {
                return receipt.get();
            }
            if (System.nanoTime() > deadline) {
                throw ChainErrors.chain(request.label() + ": transaction " + hash + " was not mined within "
                        + options.receiptTimeout().toSeconds() + " s");
            }
            try {
                Thread.sleep(options.pollInterval());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ChainErrors.chain(request.label() + ": interrupted while waiting for " + hash, e);
            }
        }
    }

    private long chainId() {
        Long id = chainId;
        if (id == null) {
            id = client.chainId();
            chainId = id;
        }
        return id;
    }

    private Fees fees() {
        EthBlock.Block latest = client.latestBlock();
        String baseFeeHex = latest.getBaseFeePerGasRaw();
        if (baseFeeHex == null) {
            return new Fees(false, null, null, client.gasPrice());
        }
        BigInteger baseFee = Numeric.decodeQuantity(baseFeeHex);
        BigInteger tip = client.maxPriorityFeePerGas();
        // Twice the base fee covers six full blocks of base-fee growth (12.5 % each) before the
        // transaction would become unmineable.
        return new Fees(true, tip, baseFee.multiply(BigInteger.TWO).add(tip), null);
    }

    private record Fees(boolean eip1559, BigInteger maxPriorityFee, BigInteger maxFee, BigInteger gasPrice) {}
}
