package dev.hypha.node.provider;

import dev.hypha.chain.channels.ReceiptDomain;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentChannelsClient;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.crypto.Address;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.payments.ProviderLedger;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.web3j.crypto.Credentials;

/**
 * Run in a child JVM by {@link ProviderKillTest}: a paid provider over the store and deployment in {@code home},
 * with its ledger in {@code ledger}, serving on a free loopback port (printed as {@code PORT n}) until it is killed.
 * Args: rpc URL, home, ledger file, provider private key (hex).
 */
public final class ProviderChild {
    private ProviderChild() {}

    public static void main(String[] args) throws InterruptedException {
        ChainClient chain = ChainClient.connect(args[0]);
        Path home = Path.of(args[1]);
        Credentials key = Credentials.create(args[3]);
        Deployment deployment = new Deployments(home.resolve("deployments")).load(chain.chainId()).orElseThrow();
        TransactionSender sender = new TransactionSender(chain, key, new NonceManager(chain), RevertDecoder.forHyphaContracts());
        PaymentChannelsClient channels = HyphaContracts.connect(deployment, sender).channels();
        ProviderTerms terms = new ProviderTerms(deployment.chainId(), Address.parse(deployment.address("PaymentToken")),
                Address.parse(key.getAddress()), Address.parse(deployment.address("PaymentChannels")),
                new Prices(BigInteger.valueOf(1_000_000), BigInteger.valueOf(2_000_000)), 60);
        ProviderLedger ledger = ProviderLedger.open(Path.of(args[2]), channels.voucherDomain());
        LocalBackend backend = new LocalBackend(new ModelStore(home, Clock.systemUTC()), LocalBackend.Settings.defaults());
        ApiServer server = new ApiServer("127.0.0.1", 0, List.of(new ProviderRoutes(backend, terms,
                new ChannelGate(terms, ledger, channels::state), ledger,
                new ReceiptSigner(new ReceiptDomain(deployment.chainId(), Address.parse(deployment.address("ProviderRegistry"))),
                        Address.parse(key.getAddress()), sender::signTypedData), Clock.systemUTC(), () -> 1)));
        server.start();
        System.out.println("PORT " + server.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE); // killed by the test, never stopped cleanly
    }
}
