package dev.hypha.chain.indexer;

import dev.hypha.chain.abi.ContractAbi;
import java.util.Locale;
import java.util.Objects;

/**
 * A contract whose events the indexer follows.
 *
 * @param name its name, stored with each event
 * @param address its address
 * @param abi its ABI, to decode the events
 */
public record WatchedContract(String name, String address, ContractAbi abi) {
    public WatchedContract {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(abi, "abi");
        address = Objects.requireNonNull(address, "address").toLowerCase(Locale.ROOT);
    }
}
