package dev.hypha.chain.rpc;

import dev.hypha.chain.ChainException;
import dev.hypha.core.errors.ErrorCategory;
import java.util.Optional;

/**
 * The node answered a JSON-RPC request with an error object (for example a revert during
 * {@code eth_call} or {@code eth_estimateGas}). Keeps the raw code, message and data so callers
 * can decode revert data into a readable reason.
 */
public final class RpcErrorException extends ChainException {
    private static final long serialVersionUID = 1L;

    private final String method;
    private final int code;
    private final String rpcMessage;
    private final String data;

    RpcErrorException(String method, int code, String rpcMessage, String data) {
        super(ErrorCategory.CHAIN, method + " failed: " + rpcMessage + " (code " + code + ")", null);
        this.method = method;
        this.code = code;
        this.rpcMessage = rpcMessage == null ? "" : rpcMessage;
        this.data = data;
    }

    /** The JSON-RPC method that failed. */
    public String method() {
        return method;
    }

    /** JSON-RPC error code (3 is "execution reverted" on most nodes). */
    public int code() {
        return code;
    }

    /** The node's error message, e.g. "execution reverted". */
    public String rpcMessage() {
        return rpcMessage;
    }

    /** The error's data field as a 0x hex string when the node sent revert data. */
    public Optional<String> revertData() {
        if (data == null) {
            return Optional.empty();
        }
        String d = data.strip();
        if (d.startsWith("\"") && d.endsWith("\"") && d.length() >= 2) {
            d = d.substring(1, d.length() - 1);
        }
        return d.startsWith("0x") ? Optional.of(d) : Optional.empty();
    }
}
