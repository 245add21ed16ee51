package dev.hypha.node.health;

/**
 * The node's answer to {@code GET /health}.
 *
 * @param status          {@code ok} when the chain answers and the indexer keeps up, {@code degraded} otherwise
 * @param chainId         chain id reported by the RPC, or null when the RPC did not answer
 * @param block           latest block number reported by the RPC, or null when the RPC did not answer
 * @param indexerPosition last block the event indexer has stored, or null when no indexer runs or it has not started
 * @param uptimeSeconds   seconds since the node started (from the injected clock)
 * @param problem         one line saying what is wrong when {@code status} is {@code degraded}, else null
 */
public record HealthReport(String status, Long chainId, Long block, Long indexerPosition,
                           long uptimeSeconds, String problem) {

    public static final String OK = "ok";
    public static final String DEGRADED = "degraded";

    /** Whether the node considers itself healthy; {@code /health} answers 200 then, 503 otherwise. */
    public boolean healthy() {
        return OK.equals(status);
    }
}
