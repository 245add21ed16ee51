package dev.hypha.node.coordinator;

import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.indexer.EventIndexer;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.AccountFiles;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.provider.Prices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/**
 * A running {@link Fulfiller} with what it needs, as {@code hypha provider fulfil} and {@code hypha up}'s dev provider
 * run it: its durable log and event cursor in {@code <home>/provider/coordinator[-events]-<chain>-<account>.sqlite},
 * polling on its own thread. {@link #stopAndCollect} ends it, collecting the fees whose window has passed.
 */
public final class FulfilmentService implements AutoCloseable {
    private final FulfilmentLog log;
    private final EventIndexer indexer;
    private final Fulfiller fulfiller;

    private FulfilmentService(FulfilmentLog log, EventIndexer indexer, Fulfiller fulfiller) {
        this.log = log;
        this.indexer = indexer;
        this.fulfiller = fulfiller;
    }

    /**
     * @param asProvider the contracts as the provider's account (it sends the answers)
     * @param signingKey signs receipts with the provider's registered signing key
     */
    public static FulfilmentService start(Path home, ChainClient chain, HyphaContracts asProvider, InferenceBackend backend,
                                          Prices prices, Function<TypedData, Signature> signingKey, Duration interval) {
        Path dir = home.resolve("provider");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw HyphaException.io("cannot create " + dir + ": " + e.getMessage(), e);
        }
        long chainId = asProvider.deployment().chainId();
        Address account = Address.parse(asProvider.account());
        FulfilmentLog log = FulfilmentLog.open(dir.resolve(AccountFiles.name("coordinator", chainId, account)));
        EventIndexer indexer = null;
        try {
            indexer = Fulfiller.indexerFor(chain, dir.resolve(AccountFiles.name("coordinator-events", chainId, account)),
                    asProvider.deployment(), EventIndexer.Options.DEFAULT);
            Fulfiller fulfiller = new Fulfiller(indexer, asProvider.coordinator(), backend, prices, signingKey, log,
                    () -> chain.latestBlock().getTimestamp().longValueExact(), Fulfiller.Settings.DEFAULT);
            fulfiller.start(interval);
            return new FulfilmentService(log, indexer, fulfiller);
        } catch (RuntimeException e) {
            if (indexer != null) {
                indexer.close();
            }
            log.close();
            throw e;
        }
    }

    /** Stops answering (the answer in hand is finished) and collects the fees now due; how many were collected. */
    public int stopAndCollect() {
        fulfiller.close();
        return fulfiller.collectFees().size();
    }

    @Override
    public void close() {
        try {
            fulfiller.close();
        } finally {
            try {
                indexer.close();
            } finally {
                log.close();
            }
        }
    }
}
