package dev.hypha.node.provider;

import dev.hypha.chain.deploy.PaymentChannelsClient;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.payments.ProviderLedger;
import dev.hypha.core.crypto.Address;
import dev.hypha.node.AccountFiles;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.List;
import javax.net.ssl.SSLContext;
import java.util.Objects;

/**
 * A running provider: the paid routes over a backend, on their own HTTP server, with the voucher ledger they reserve
 * against and the redeemer that turns it into tokens. {@code hypha provider start} and {@code hypha up} both run one;
 * the backend belongs to the caller. A watcher redeems at once any channel whose payer asked to close it, and stops
 * accepting vouchers on it. To shut down: {@link #stopServing}, {@link #redeemAll}, then {@link #close}.
 */
public final class ProviderService implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ProviderService.class.getName());
    private static final Duration MAX_CLOSE_CHECK = Duration.ofSeconds(30);

    private final ProviderLedger ledger;
    private final ApiServer server;
    private final Redeemer redeemer;
    private final String host;
    private boolean stopped;

    private final ScheduledExecutorService watcher;

    private final boolean tls;

    private ProviderService(ProviderLedger ledger, ApiServer server, Redeemer redeemer, String host, boolean tls,
                            ScheduledExecutorService watcher) {
        this.ledger = ledger;
        this.server = server;
        this.redeemer = redeemer;
        this.host = host;
        this.tls = tls;
        this.watcher = watcher;
    }

    /**
     * Opens the ledger and starts serving.
     *
     * @param contract   the PaymentChannels contract as the provider's account (reads channels, sends redemptions)
     * @param receipts   signs every answer's receipt
     * @param ledgerFile where vouchers are kept (created when missing)
     * @param port       0 for any free port
     * @param tls        serves HTTPS with this context (a certificate bound to the registered key:
     *                   {@code transport.ProviderTls.server}); null serves plain HTTP, for loopback only
     */
    public static ProviderService start(InferenceBackend backend, ProviderTerms terms, PaymentChannelsClient contract,
                                        ReceiptSigner receipts, Path ledgerFile, String host, int port, SSLContext tls,
                                        Clock clock) {
        return start(backend, terms, contract, receipts, ledgerFile, host, port, tls, clock, List.of());
    }

    /**
     * As {@link #start(InferenceBackend, ProviderTerms, PaymentChannelsClient, ReceiptSigner, Path, String, int,
     * SSLContext, Clock)}, serving {@code moreRoutes} beside the paid ones on the same server (e.g. the blocks of the
     * store's models, {@code content.BlockRoutes}).
     */
    public static ProviderService start(InferenceBackend backend, ProviderTerms terms, PaymentChannelsClient contract,
                                        ReceiptSigner receipts, Path ledgerFile, String host, int port, SSLContext tls,
                                        Clock clock, List<? extends dev.hypha.node.http.ApiRoutes> moreRoutes) {
        return start(backend, terms, contract, receipts, ledgerFile, host, port, tls, clock, moreRoutes, List.of());
    }

    /**
     * More routes paid through the provider's own channels: built over its voucher admission and ledger once they are
     * open (e.g. its model as an x402 {@code upto} endpoint, {@code x402.MeteredCompletions}).
     */
    @FunctionalInterface
    public interface PaidAreas {
        dev.hypha.node.http.ApiRoutes routes(ProviderTerms terms, ChannelGate gate, ProviderLedger ledger);
    }

    /** As above, also serving {@code paid} areas over the same gate and ledger as the provider's own routes. */
    public static ProviderService start(InferenceBackend backend, ProviderTerms terms, PaymentChannelsClient contract,
                                        ReceiptSigner receipts, Path ledgerFile, String host, int port, SSLContext tls,
                                        Clock clock, List<? extends dev.hypha.node.http.ApiRoutes> moreRoutes,
                                        List<PaidAreas> paid) {
        Objects.requireNonNull(backend, "backend");
        Duration closeCheck = closeCheckInterval(contract.challengePeriod());
        ProviderLedger ledger = ProviderLedger.open(ledgerFile, contract.voucherDomain(), contract::accountAccepts);
        try {
            ChannelGate gate = new ChannelGate(terms, ledger, contract::state);
            ProviderRoutes routes = new ProviderRoutes(backend, terms, gate, ledger, receipts, clock,
                    new SecureRandom()::nextLong);
            List<dev.hypha.node.http.ApiRoutes> areas = new java.util.ArrayList<>(List.of(routes));
            paid.forEach(p -> areas.add(p.routes(terms, gate, ledger)));
            areas.addAll(moreRoutes);
            ApiServer server = new ApiServer(host, port, areas, tls);
            server.start();
            Redeemer redeemer = Redeemer.onChain(ledger, contract);
            ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("provider-close-watcher").factory());
            watcher.scheduleWithFixedDelay(() -> redeemClosing(redeemer, gate), closeCheck.toMillis(),
                    closeCheck.toMillis(), TimeUnit.MILLISECONDS);
            return new ProviderService(ledger, server, redeemer, host, tls != null, watcher);
        } catch (RuntimeException e) {
            ledger.close();
            throw e;
        }
    }

    /**
     * How often to look for channels whose payer asked to close them: four checks per challenge window (a day on real
     * chains, a minute on the devnet), at most every 30 seconds, so what was earned is redeemed well before the deposit
     * goes back to the payer.
     */
    static Duration closeCheckInterval(long challengePeriodSeconds) {
        Duration quarter = Duration.ofSeconds(Math.max(1, challengePeriodSeconds / 4));
        return quarter.compareTo(MAX_CLOSE_CHECK) < 0 ? quarter : MAX_CLOSE_CHECK;
    }

    private static void redeemClosing(Redeemer redeemer, ChannelGate gate) {
        try {
            for (Redeemer.Outcome o : redeemer.redeemClosing(gate::closing)) {
                LOG.log(o.ok() ? System.Logger.Level.INFO : System.Logger.Level.WARNING, "channel " + o.channelId()
                        + " is closing: " + (o.ok() ? "redeemed, " + o.redeemed() + " paid out in total"
                        : "redeeming failed (" + o.error() + "), will retry"));
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "checking channels for closes failed, will retry: " + e.getMessage());
        }
    }

    /** Where a provider account's voucher ledger lives: one file per chain and account, under the home. */
    public static Path ledgerFile(Path home, long chainId, Address account) {
        return home.resolve("provider").resolve(AccountFiles.name("ledger", chainId, account));
    }

    /** The port it listens on. */
    public int port() {
        return server.port();
    }

    /** Its API root, what it registers as its endpoint (its paid routes are under {@link ProviderRoutes#PREFIX}). */
    public URI endpoint() {
        return URI.create((tls ? "https://" : "http://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port());
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
            try {
                server.close();
            } finally {
                watcher.shutdown(); // not shutdownNow: an interrupted redemption would abandon its transaction
                try {
                    watcher.awaitTermination(30, TimeUnit.SECONDS); // a redemption in flight finishes first
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
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
