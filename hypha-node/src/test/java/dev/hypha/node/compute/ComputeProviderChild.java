package dev.hypha.node.compute;

import dev.hypha.chain.compute.Resources;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.crypto.Address;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.http.ApiServer;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * Run in a child JVM by the kill test: a compute provider over {@code home} (its deployment in {@code home/deployments}),
 * bidding 1,800,000 units an hour with 2 cores and 512 MiB, its job API on a free loopback port (printed as
 * {@code PORT n}), polling every 100 ms until it is killed. Args: rpc URL, home, provider private key (hex).
 */
public final class ComputeProviderChild {
    private ComputeProviderChild() {}

    public static void main(String[] args) throws InterruptedException {
        ChainClient chain = ChainClient.connect(args[0]);
        Path home = Path.of(args[1]);
        TransactionSender sender = new TransactionSender(chain, org.web3j.crypto.Credentials.create(args[2]), new NonceManager(chain),
                RevertDecoder.forHyphaContracts());
        Deployment deployment = new Deployments(home.resolve("deployments")).load(chain.chainId()).orElseThrow();
        HyphaContracts contracts = HyphaContracts.connect(deployment, sender);
        Address self = Address.parse(sender.address());
        PublishedContent published = new PublishedContent();
        ComputeProvider provider = new ComputeProvider(contracts.compute(), self,
                new ComputeOffer(BigInteger.valueOf(1_800_000), new Resources(2, 512, 0), 1, JobLimits.DEFAULT),
                new ContentStore(home), JobBook.open(home), published, HttpClient.newHttpClient(), CheckpointListener.NONE,
                () -> chain.latestBlock().getTimestamp().longValueExact(), line -> { }, home.resolve("compute").resolve("work"));
        ApiServer server = new ApiServer("127.0.0.1", 0, List.of(published, new ComputeRoutes(provider, contracts.compute(), self,
                deployment.chainId(), Clock.systemUTC())));
        server.start();
        System.out.println("PORT " + server.port());
        System.out.flush();
        while (true) { // killed by the test, never stopped cleanly
            provider.poll();
            Thread.sleep(100);
        }
    }
}
