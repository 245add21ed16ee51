package dev.hypha.node.gateway.network;

import dev.hypha.node.payments.PayerReceipts;
import dev.hypha.node.payments.ReceiptFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the gateways of a home have seen of providers on one chain ({@code hypha offers} shows it): the receipts and
 * reputation files of every payer account there ({@link PayerFiles}), replayed together into one {@link ProviderStats}.
 */
public final class SeenProviders {
    private SeenProviders() {}

    /** The standings at {@code now}; empty stats when no gateway of this home has paid on {@code chainId}. */
    public static ProviderStats read(Path home, long chainId, Instant now) {
        List<AutoCloseable> open = new ArrayList<>();
        try {
            List<ReputationLog> logs = new ArrayList<>();
            List<PayerReceipts> receipts = new ArrayList<>();
            for (ReceiptFiles.Found f : ReceiptFiles.list(home)) {
                if (f.chainId().isEmpty() || f.chainId().getAsLong() != chainId || f.payer().isEmpty()) {
                    continue;
                }
                PayerReceipts r = PayerReceipts.open(f.file());
                open.add(r);
                receipts.add(r);
                Path reputation = PayerFiles.of(home, chainId, f.payer().get()).reputation();
                if (Files.isRegularFile(reputation)) {
                    ReputationLog log = ReputationLog.open(reputation);
                    open.add(log);
                    logs.add(log);
                }
            }
            return ProviderStats.read(logs, receipts, now);
        } finally {
            for (AutoCloseable c : open.reversed()) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // read only: nothing to lose
                }
            }
        }
    }
}
