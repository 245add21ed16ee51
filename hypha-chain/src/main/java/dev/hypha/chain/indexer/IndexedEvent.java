package dev.hypha.chain.indexer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One decoded contract event as the indexer stores it.
 *
 * <p>Argument values are JSON-friendly and exact: integers as decimal strings (uint256 does not
 * fit a long or a double), addresses and bytes as lower-case 0x hex, strings, booleans, and lists
 * for arrays. Indexed dynamic values (string, bytes, arrays) are only their keccak hash, in hex.
 *
 * @param blockNumber block the event was emitted in
 * @param blockHash that block's hash
 * @param txHash the transaction that emitted it
 * @param logIndex its position among the block's logs
 * @param contract the emitting contract's name (e.g. "Staking")
 * @param address the emitting contract's address
 * @param name event name (e.g. "Staked"), or "unknown:0x<topic0>" if not in the ABI
 * @param args argument name to value, in declaration order
 */
public record IndexedEvent(long blockNumber, String blockHash, String txHash, long logIndex, String contract,
                           String address, String name, Map<String, Object> args) {
    public IndexedEvent {
        Objects.requireNonNull(blockHash, "blockHash");
        Objects.requireNonNull(txHash, "txHash");
        Objects.requireNonNull(contract, "contract");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(name, "name");
        args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
    }

    /** An argument by name as a string (numbers are decimal strings). */
    public String arg(String argName) {
        Object v = args.get(argName);
        if (v == null) {
            throw new IllegalArgumentException(name + " has no argument '" + argName + "' (it has " + args.keySet() + ")");
        }
        return String.valueOf(v);
    }
}
