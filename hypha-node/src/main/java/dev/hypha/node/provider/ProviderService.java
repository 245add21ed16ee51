package dev.hypha.node.provider;

import dev.hypha.chain.deploy.PaymentChannelsClient;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.payments.ProviderLedger;
import dev.hypha.core.crypto.Address;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A running provider: the paid routes over a backend, on their own HTTP server, with the voucher ledger they reserve
 * against and the redeemer that turns it into tokens. {@code hypha provider start} and {@code hypha up} both run one;
 * the backend belongs to the caller. To shut down: {@link #stopServing}, {@link #redeemAll}, then {@link #close}.
 */
public final class ProviderService implements AutoCloseable {
    private final ProviderLedger ledger;
    private final ApiServer server;
    private final Redeemer redeemer;
    private final String host;
    private boolean stopped;

    private ProviderService(ProviderLedger ledger, ApiServer server, Redeemer redeemer, String host) {
        this.ledger = ledger;
        this.server = server;
        this.redeemer = redeemer;
        this.host = host;
    }

    /**
     * Opens the ledger and starts serving.
     *
     * @param contract   the PaymentChannels contract as the provider's account (reads channels, sends redemptions)
     * @param receipts   signs every answer's receipt
     * @param ledgerFile where vouchers are kept (created when missing)
     * @param port       0 for any free port
     */
    public static ProviderService start(InferenceBackend backend, ProviderTerms terms, PaymentChannelsClient contract,
                                        ReceiptSigner receipts, Path ledgerFile, String host, int port, Clock clock) {
        Objects.requireNonNull(backend, "backend");
        ProviderLedger ledger = ProviderLedger.open(ledgerFile, contract.voucherDomain());
        try {
            ProviderRoutes routes = new ProviderRoutes(backend, terms, new ChannelGate(terms, ledger, contract::state),
                    ledger, receipts, clock, new SecureRandom()::nextLong);
            ApiServer server = new ApiServer(host, port, List.of(routes));
            server.start();
            return new ProviderService(ledger, server, Redeemer.onChain(ledger, contract), host);
        } catch (RuntimeException e) {
            ledger.close();
            throw e;
        }
    }

    /** Where a provider account's voucher ledger lives: one file per chain and account, under the home. */
    public static Path ledgerFile(Path home, long chainId, Address account) {
        return home.resolve("provider").resolve("ledger-" + chainId + "-"
                + account.lowercaseHex().toLowerCase(Locale.ROOT) + ".sqlite");
    }

    /** The port it listens on. */
    public int port() {
        return server.port();
    }

    /** Its API root, what it registers as its endpoint (its paid routes are under {@link ProviderRoutes#PREFIX}). */
    public URI endpoint() {
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port());
    }

    /** The voucher ledger (what was earned and what is left to redeem). */
    public ProviderLedger ledger() {
        return ledger;
    }

    /** Redeems every voucher it holds; one failing channel does not stop the others. */
    public List<Redeemer.Outcome> redeemAll() {
        return redeemer.redeemAll();
    }

    /** Stops serving (answers in flight are cut); the ledger stays open, to redeem what was earned. Idempotent. */
    public synchronized void stopServing() {
        if (!stopped) {
            stopped = true;
            server.close();
        }
    }

    /** Stops serving and closes the ledger. */
    @Override
    public void close() {
        try {
            stopServing();
        } finally {
            ledger.close();
        }
    }
}
