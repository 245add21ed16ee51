package dev.hypha.node.gateway.network;

import dev.hypha.core.crypto.Address;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a gateway keeps what it pays with, one pair of SQLite files per chain and payer account under
 * {@code <home>/gateway}: the channels and the totals signed on them, and every accepted receipt ({@code hypha usage}
 * reads all {@code receipts-*.sqlite}).
 */
public record PayerFiles(Path ledger, Path receipts) {

    public static PayerFiles of(Path home, long chainId, Address payer) {
        String suffix = chainId + "-" + payer.lowercaseHex().toLowerCase(Locale.ROOT) + ".sqlite";
        Path dir = home.resolve("gateway");
        return new PayerFiles(dir.resolve("payer-" + suffix), dir.resolve("receipts-" + suffix));
    }
}
