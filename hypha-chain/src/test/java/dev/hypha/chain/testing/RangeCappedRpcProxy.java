package dev.hypha.chain.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JSON-RPC proxy on loopback in front of a real node that, like public RPC providers, answers
 * eth_getLogs over more than {@code maxBlocks} blocks with an error; everything else is forwarded.
 */
public final class RangeCappedRpcProxy implements AutoCloseable {
    private final AtomicInteger refused = new AtomicInteger();
    private final RpcProxy proxy;

    public RangeCappedRpcProxy(String upstream, long maxBlocks) throws IOException {
        proxy = new RpcProxy(upstream, (call, node) -> {
            JsonNode filter = call.path("params").path(0);
            if (call.path("method").asText().equals("eth_getLogs")
                    && Long.decode(filter.path("toBlock").asText()) - Long.decode(filter.path("fromBlock").asText()) >= maxBlocks) {
                refused.incrementAndGet();
                return RpcProxy.error(call, -32005, "block range too large, max " + maxBlocks);
            }
            return RpcProxy.forwarded(node);
        });
    }

    public String url() {
        return proxy.url();
    }

    public int refused() {
        return refused.get();
    }

    @Override
    public void close() {
        proxy.close();
    }
}
