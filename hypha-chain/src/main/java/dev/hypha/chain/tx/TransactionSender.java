package dev.hypha.chain.tx;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.ChainException;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.time.TimeSource;
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

    /**
     * Receipt polling, gas and fee policy.
     *
     * @param receiptTimeout how long to wait for a receipt
     * @param pollInterval how often to ask for it
     * @param gasMarginPercent added to the node's gas estimate
     * @param maxFeePerGas the most this sender ever offers per gas (wei), whatever the node asks: above it
     *     a transaction is refused, not sent
     */
    public record Options(Duration receiptTimeout, Duration pollInterval, int gasMarginPercent, BigInteger maxFeePerGas) {
        /** The default fee cap: 500 gwei. */
        public static final BigInteger DEFAULT_MAX_FEE_PER_GAS = BigInteger.valueOf(500_000_000_000L);
        /** Two minutes for a receipt, polled every 100 ms; 20 % over the estimate; at most 500 gwei per gas. */
        public static final Options DEFAULT = new Options(Duration.ofMinutes(2), Duration.ofMillis(100), 20,
                DEFAULT_MAX_FEE_PER_GAS);

        public Options {
            Objects.requireNonNull(receiptTimeout, "receiptTimeout");
            Objects.requireNonNull(pollInterval, "pollInterval");
            Objects.requireNonNull(maxFeePerGas, "maxFeePerGas");
            if (gasMarginPercent < 0 || gasMarginPercent > 1000) {
                throw new IllegalArgumentException("gasMarginPercent must be 0..1000, was " + gasMarginPercent);
            }
            if (maxFeePerGas.signum() <= 0) {
                throw new IllegalArgumentException("maxFeePerGas must be > 0, was " + maxFeePerGas);
            }
        }

        /** The same policy with another fee cap (wei per gas). */
        public Options withMaxFeePerGas(BigInteger cap) {
            return new Options(receiptTimeout, pollInterval, gasMarginPercent, cap);
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
        Fees fees = fees(request);
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

    /**
     * Signs once and submits those bytes. The client retries the same bytes after a transport
     * failure, so a first attempt that reached the node may come back as "already known" or
     * "nonce too low" (it was mined meanwhile): whenever the node refuses, it is asked whether it
     * knows the transaction by hash, and if so the send succeeded. A new signature (new nonce) is
     * only ever made for a transaction the node does not have: never a duplicate transfer.
     */
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
        String hash = Hash.sha3(hex);
        try {
            String answered = client.sendRawTransaction(hex);
            if (!hash.equalsIgnoreCase(answered)) {
                throw ChainErrors.chain(request.label() + ": the node answered hash " + answered + " for transaction " + hash);
            }
            return hash;
        } catch (RpcErrorException e) {
            if (client.knowsTransaction(hash)) {
                return hash; // an earlier attempt of these same bytes got through
            }
            throw e;
        } catch (ChainException e) {
            if (e.category() == ErrorCategory.NETWORK) {
                throw ChainErrors.network(request.label() + ": lost the node while sending transaction " + hash
                        + " (nonce " + nonce + "); it may still be mined, so look it up before sending again ("
                        + e.getMessage() + ")", e);
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
        TimeSource.Deadline deadline = client.time().deadline(options.receiptTimeout());
        while (true) {
            Optional<TransactionReceipt> receipt = client.receipt(hash);
            if (receipt.isPresent()) {
                return receipt.get();
            }
            if (deadline.passed()) {
                throw ChainErrors.chain(request.label() + ": transaction " + hash + " was not mined within "
                        + options.receiptTimeout().toSeconds() + " s");
            }
            try {
                client.time().sleep(options.pollInterval());
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

    /**
     * Fees from the node's latest base fee and priority fee, never above {@link Options#maxFeePerGas}:
     * the usual offer is twice the base fee plus the tip, which covers six full blocks of base-fee
     * growth (12.5 % each); it is lowered to the cap when the cap still covers base fee plus tip,
     * and the transaction is refused when it does not.
     */
    private Fees fees(TxRequest request) {
        BigInteger cap = options.maxFeePerGas();
        EthBlock.Block latest = client.latestBlock();
        String baseFeeHex = latest.getBaseFeePerGasRaw();
        if (baseFeeHex == null) {
            BigInteger gasPrice = client.gasPrice();
            if (gasPrice.compareTo(cap) > 0) {
                throw feeTooHigh(request, "gas price " + gwei(gasPrice), cap);
            }
            return new Fees(false, null, null, gasPrice);
        }
        BigInteger baseFee = Numeric.decodeQuantity(baseFeeHex);
        BigInteger tip = client.maxPriorityFeePerGas();
        if (baseFee.add(tip).compareTo(cap) > 0) {
            throw feeTooHigh(request, "base fee " + gwei(baseFee) + " + priority fee " + gwei(tip), cap);
        }
        return new Fees(true, tip, baseFee.multiply(BigInteger.TWO).add(tip).min(cap), null);
    }

    private static ChainException feeTooHigh(TxRequest request, String asked, BigInteger cap) {
        return ChainErrors.chain(request.label() + " not sent: the node asks " + asked + " per gas, above the cap of "
                + gwei(cap) + " (setting tx.max-fee-gwei); raise the cap or wait for lower fees");
    }

    private static String gwei(BigInteger wei) {
        return new java.math.BigDecimal(wei).movePointLeft(9).stripTrailingZeros().toPlainString() + " gwei";
    }

    private record Fees(boolean eip1559, BigInteger maxPriorityFee, BigInteger maxFee, BigInteger gasPrice) {}
}
