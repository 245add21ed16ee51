package dev.hypha.chain.deploy;

import java.util.Objects;

/**
 * One deployed contract as recorded in the deployments file.
 *
 * @param address its address (lower-case 0x hex)
 * @param block the block it was created in
 * @param txHash the creating transaction
 * @param codeHash keccak256 of its runtime code, to detect a wiped or different chain
 */
public record DeployedContract(String address, long block, String txHash, String codeHash) {
    public DeployedContract {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(txHash, "txHash");
        Objects.requireNonNull(codeHash, "codeHash");
    }
}
