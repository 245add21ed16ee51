package dev.hypha.node.gateway.network;

import dev.hypha.core.crypto.Address;
import dev.hypha.node.AccountFiles;
import java.nio.file.Path;

/**
 * Where a gateway keeps what it pays with, SQLite files per chain and payer account under {@code <home>/gateway}: the
 * channels and the totals signed on them, every accepted receipt ({@code hypha usage} reads all
 * {@code receipts-*.sqlite}), and the faults it saw providers make ({@link ReputationLog}; with the receipts, what
 * routing and {@code hypha offers} judge providers by).
 */
public record PayerFiles(Path ledger, Path receipts, Path reputation) {

    public static PayerFiles of(Path home, long chainId, Address payer) {
        Path dir = home.resolve("gateway");
        return new PayerFiles(dir.resolve(AccountFiles.name("payer", chainId, payer)),
                dir.resolve(AccountFiles.name("receipts", chainId, payer)),
                dir.resolve(AccountFiles.name("reputation", chainId, payer)));
    }
}
