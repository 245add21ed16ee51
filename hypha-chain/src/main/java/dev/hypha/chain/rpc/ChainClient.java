package dev.hypha.chain.rpc;

import dev.hypha.chain.ChainErrors;
import dev.hypha.core.time.Backoff;
import dev.hypha.core.time.TimeSource;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import okhttp3.OkHttpClient;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.exceptions.ClientConnectionException;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/**
 * JSON-RPC access to one EVM node: web3j with connect/read timeouts and bounded retries with
 * exponential backoff on transient network failures. JSON-RPC error answers (reverts, bad params)
 * are never retried: they surface at once as {@link RpcErrorException}. When the node stays
 * unreachable, one {@code ChainException} of category NETWORK names the URL.
 */
public final class ChainClient implements AutoCloseable {

    /**
     * Timeouts, retry policy, the largest answer accepted and the widest log query.
     *
     * @param maxResponseBytes the most bytes one answer may have; a larger one is a NETWORK error, not retried
     * @param logRangeBlocks the most blocks one eth_getLogs spans ({@link #logs(EthFilter, int)} pages wider queries)
     */
    public record Options(Duration connectTimeout, Duration readTimeout, int maxAttempts, Backoff backoff,
                          long maxResponseBytes, long logRangeBlocks) {
        /** The default answer cap: 64 MiB (eth_getLogs batches are the largest answers the node asks for). */
        public static final long DEFAULT_MAX_RESPONSE_BYTES = 64L << 20;
        /** The default log range: public RPC nodes refuse wider eth_getLogs, and a contract's history soon is wider. */
        public static final long DEFAULT_LOG_RANGE_BLOCKS = 50_000;
        /** Sensible defaults for a node on loopback or a LAN. */
        public static final Options DEFAULT = new Options(Duration.ofSeconds(5), Duration.ofSeconds(30), 4,
                new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5)));

        /** Options with the default answer cap and log range. */
        public Options(Duration connectTimeout, Duration readTimeout, int maxAttempts, Backoff backoff) {
            this(connectTimeout, readTimeout, maxAttempts, backoff, DEFAULT_MAX_RESPONSE_BYTES);
        }

        /** Options with the default log range. */
        public Options(Duration connectTimeout, Duration readTimeout, int maxAttempts, Backoff backoff,
                       long maxResponseBytes) {
            this(connectTimeout, readTimeout, maxAttempts, backoff, maxResponseBytes, DEFAULT_LOG_RANGE_BLOCKS);
        }

        public Options {
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(readTimeout, "readTimeout");
            Objects.requireNonNull(backoff, "backoff");
            if (maxResponseBytes < 1) {
                throw new IllegalArgumentException("maxResponseBytes must be >= 1, was " + maxResponseBytes);
            }
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
            }
            if (logRangeBlocks < 1) {
                throw new IllegalArgumentException("logRangeBlocks must be >= 1, was " + logRangeBlocks);
            }
        }

        /** These options with another log range. */
        public Options withLogRangeBlocks(long blocks) {
            return new Options(connectTimeout, readTimeout, maxAttempts, backoff, maxResponseBytes, blocks);
        }
    }

    private final String url;
    private final Options options;
    private final TimeSource time;
    private final HttpService service;
    private final Web3j web3j;

    private ChainClient(String url, Options options, TimeSource time) {
        this.url = url;
        this.options = options;
        this.time = time;
        OkHttpClient http = HttpService.getOkHttpClientBuilder()
                .connectTimeout(options.connectTimeout())
                .readTimeout(options.readTimeout())
                .writeTimeout(options.readTimeout())
                .retryOnConnectionFailure(false) // we retry ourselves, bounded and visible
                .addInterceptor(new ResponseSizeLimit(options.maxResponseBytes()))
                .build();
        this.service = new HttpService(url, http);
        this.web3j = Web3j.build(service);
    }

    /** Connects (lazily: nothing is sent yet) with default options. */
    public static ChainClient connect(String url) {
        return connect(url, Options.DEFAULT);
    }

    /**
     * Connects (lazily) to an http(s) JSON-RPC URL.
     *
     * @throws dev.hypha.chain.ChainException (INPUT) if the URL is not an http(s) URL with a host
     */
    public static ChainClient connect(String url, Options options) {
        return connect(url, options, TimeSource.SYSTEM);
    }

    /**
     * Connects (lazily) with an injected time source: it paces this client's retries, and the
     * transaction sender and event indexer built on this client wait on it too.
     */
    public static ChainClient connect(String url, Options options, TimeSource time) {
        return new ChainClient(validateUrl(url), Objects.requireNonNull(options, "options"), Objects.requireNonNull(time, "time"));
    }

    static String validateUrl(String url) {
        if (url == null || url.isBlank()) {
            throw ChainErrors.input("RPC URL is empty: expected something like http://127.0.0.1:8545");
        }
        try {
            URI uri = new URI(url.strip());
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || uri.getHost() == null) {
                throw ChainErrors.input("bad RPC URL '" + url + "': expected http(s)://host[:port][/path], e.g. http://127.0.0.1:8545");
            }
            return uri.toString();
        } catch (URISyntaxException e) {
            throw ChainErrors.input("bad RPC URL '" + url + "': " + e.getReason() + "; expected e.g. http://127.0.0.1:8545");
        }
    }

    /** The RPC URL. */
    public String url() {
        return url;
    }

    /** The time source that paces retries and waits on this chain. */
    public TimeSource time() {
        return time;
    }

    /** The underlying web3j (for generated bindings' read calls and anything not wrapped here). */
    public Web3j web3j() {
        return web3j;
    }

    /** eth_chainId. */
    public long chainId() {
        return send("eth_chainId", web3j.ethChainId()).getChainId().longValueExact();
    }

    /** eth_blockNumber. */
    public long blockNumber() {
        return send("eth_blockNumber", web3j.ethBlockNumber()).getBlockNumber().longValueExact();
    }

    /** Balance in wei at the latest block. */
    public BigInteger balance(String address) {
        return send("eth_getBalance", web3j.ethGetBalance(address, DefaultBlockParameterName.LATEST)).getBalance();
    }

    /** Transaction count including pending transactions (the next nonce to use). */
    public BigInteger pendingNonce(String address) {
        return send("eth_getTransactionCount",
                web3j.ethGetTransactionCount(address, DefaultBlockParameterName.PENDING)).getTransactionCount();
    }

    /** Runtime code at an address ("0x" when none). */
    public String code(String address) {
        return send("eth_getCode", web3j.ethGetCode(address, DefaultBlockParameterName.LATEST)).getCode();
    }

    /** The block (without transaction bodies) by number, if the node has it. */
    public Optional<EthBlock.Block> block(long number) {
        return Optional.ofNullable(send("eth_getBlockByNumber",
                web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(number)), false)).getBlock());
    }

    /** The latest block (without transaction bodies). */
    public EthBlock.Block latestBlock() {
        EthBlock.Block b = send("eth_getBlockByNumber", web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)).getBlock();
        if (b == null) {
            throw ChainErrors.chain("node at " + url + " returned no latest block");
        }
        return b;
    }

    /** The logs matching {@code filter}, oldest first (see {@link #logs(EthFilter, int)}). */
    public List<Log> logs(EthFilter filter) {
        return logs(filter, Integer.MAX_VALUE);
    }

    /**
     * The logs matching {@code filter}, oldest first, at most {@code limit}. A filter over a block range is asked in
     * ranges of at most {@link Options#logRangeBlocks()} blocks (named ends read as: earliest = 0, latest or pending = the
     * head at the call), stopping once {@code limit} logs are read; a filter by block hash is one call.
     */
    public List<Log> logs(EthFilter filter, int limit) {
        if (filter.getBlockHash() != null) {
            return logsOnce(filter).stream().limit(limit).toList();
        }
        long from = blockNumberOf(filter.getFromBlock());
        long to = blockNumberOf(filter.getToBlock());
        if (from < 0 || to < 0) {
            long head = blockNumber();
            from = from < 0 ? head : from;
            to = to < 0 ? head : to;
        }
        List<Log> out = new ArrayList<>();
        long step = options.logRangeBlocks();
        for (long start = from; start <= to && out.size() < limit; start += step) {
            long end = Math.min(to, start + step - 1);
            EthFilter range = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(start)),
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(end)), filter.getAddress());
            range.getTopics().addAll(filter.getTopics());
            for (Log log : logsOnce(range)) {
                if (out.size() >= limit) {
                    break;
                }
                out.add(log);
            }
        }
        return List.copyOf(out);
    }

    /** A block parameter's number: 0 for earliest, -1 for the head (latest, pending, absent). */
    private static long blockNumberOf(DefaultBlockParameter p) {
        if (p == DefaultBlockParameterName.EARLIEST) {
            return 0;
        }
        if (p == null || p instanceof DefaultBlockParameterName) {
            return -1;
        }
        return Numeric.decodeQuantity(p.getValue()).longValueExact();
    }

    private List<Log> logsOnce(EthFilter filter) {
        List<EthLog.LogResult> results = send("eth_getLogs", web3j.ethGetLogs(filter)).getLogs();
        return results.stream().map(r -> (Log) r.get()).toList();
    }

    /** eth_estimateGas; a revert surfaces as {@link RpcErrorException} with its data. */
    public BigInteger estimateGas(Transaction tx) {
        return send("eth_estimateGas", web3j.ethEstimateGas(tx)).getAmountUsed();
    }

    /** eth_call at the latest block; returns the raw return data. */
    public String call(Transaction tx) {
        return send("eth_call", web3j.ethCall(tx, DefaultBlockParameterName.LATEST)).getValue();
    }

    /** eth_sendRawTransaction; returns the transaction hash. */
    public String sendRawTransaction(String signedHex) {
        return send("eth_sendRawTransaction", web3j.ethSendRawTransaction(signedHex)).getTransactionHash();
    }

    /**
     * Whether the node knows a transaction (pending or mined) by its hash: eth_getTransactionByHash
     * answered with a transaction rather than null.
     */
    public boolean knowsTransaction(String txHash) {
        return send("eth_getTransactionByHash", web3j.ethGetTransactionByHash(txHash)).getTransaction().isPresent();
    }

    /** The receipt, or empty while the transaction is not mined. */
    public Optional<TransactionReceipt> receipt(String txHash) {
        return send("eth_getTransactionReceipt", web3j.ethGetTransactionReceipt(txHash)).getTransactionReceipt();
    }

    /** eth_gasPrice (legacy fee for nodes without EIP-1559). */
    public BigInteger gasPrice() {
        return send("eth_gasPrice", web3j.ethGasPrice()).getGasPrice();
    }

    /** eth_maxPriorityFeePerGas. */
    public BigInteger maxPriorityFeePerGas() {
        return send("eth_maxPriorityFeePerGas", web3j.ethMaxPriorityFeePerGas()).getMaxPriorityFeePerGas();
    }

    /**
     * Any JSON-RPC method, e.g. anvil's {@code evm_mine}; the result is returned as web3j decoded it
     * (a String, Number, Boolean, List or Map).
     */
    public Object request(String method, Object... params) {
        Request<?, RawResponse> req = new Request<>(method, List.of(params), service, RawResponse.class);
        return send(method, req).getResult();
    }

    /** Response type for {@link #request}: keeps the JSON result as plain Java values. */
    public static final class RawResponse extends Response<Object> {}

    /**
     * Sends a request with bounded retries on transport failures.
     *
     * @throws RpcErrorException when the node answers with a JSON-RPC error
     * @throws dev.hypha.chain.ChainException (NETWORK) when the node cannot be reached
     */
    public <R extends Response<?>> R send(String method, Request<?, R> request) {
        Exception last = null;
        for (int attempt = 1; attempt <= options.maxAttempts(); attempt++) {
            try {
                R response = request.send();
                if (response.hasError()) {
                    Response.Error e = response.getError();
                    throw new RpcErrorException(method, e.getCode(), e.getMessage(), e.getData());
                }
                return response;
            } catch (ResponseSizeLimit.TooLarge e) {
                throw ChainErrors.network(method + " to " + url + " failed: " + e.getMessage()
                        + " (the limit protects this process from a hostile or broken node)", e);
            } catch (IOException | ClientConnectionException e) {
                last = e; // connection refused or reset, a timeout, an HTTP 5xx: transient
            }
            if (Thread.currentThread().isInterrupted()) {
                // Someone is stopping this thread (a shutdown): retrying would only delay it.
                throw ChainErrors.network(method + " to " + url + " was interrupted", last);
            }
            if (attempt < options.maxAttempts()) {
                sleep(method, attempt);
            }
        }
        throw ChainErrors.network("RPC unreachable at " + url + " (" + method + " failed after "
                + options.maxAttempts() + " attempts: " + describe(last) + ")", last);
    }

    private static String describe(Exception e) {
        if (e == null) {
            return "unknown error";
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private void sleep(String method, int attempt) {
        try {
            options.backoff().sleep(time, attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ChainErrors.network(method + " to " + url + " was interrupted while retrying", e);
        }
    }

    /** Stops web3j's HTTP client threads. */
    @Override
    public void close() {
        web3j.shutdown();
    }

    @Override
    public String toString() {
        return "ChainClient[" + url + "]";
    }
}
