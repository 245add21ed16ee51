package dev.hypha.node.provider;

import dev.hypha.chain.channels.ReceiptDomain;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.crypto.Address;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.local.LocalBackend;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import org.web3j.crypto.Credentials;

/**
 * Run in a child JVM by the kill tests: a paid provider ({@link ProviderService}) over the store and deployment in
 * {@code home}, with its ledger in {@code ledger}, serving on a free loopback port (printed as {@code PORT n}) until it
 * is killed. Args: rpc URL, home, ledger file, provider private key (hex), and optionally the milliseconds it waits
 * before each generated piece (so a test can kill it mid-answer), the input and the output price per million tokens.
 */
public final class ProviderChild {
    private ProviderChild() {}

    public static void main(String[] args) throws InterruptedException {
        ChainClient chain = ChainClient.connect(args[0]);
        Path home = Path.of(args[1]);
        Credentials key = Credentials.create(args[3]);
        long paceMillis = args.length > 4 ? Long.parseLong(args[4]) : 0;
        Prices prices = args.length > 6 ? new Prices(new BigInteger(args[5]), new BigInteger(args[6]))
                : new Prices(BigInteger.valueOf(1_000_000), BigInteger.valueOf(2_000_000));
        Deployment deployment = new Deployments(home.resolve("deployments")).load(chain.chainId()).orElseThrow();
        TransactionSender sender = new TransactionSender(chain, key, new NonceManager(chain), RevertDecoder.forHyphaContracts());
        HyphaContracts contracts = HyphaContracts.connect(deployment, sender);
        Address account = Address.parse(key.getAddress());
        ProviderTerms terms = new ProviderTerms(deployment.chainId(), Address.parse(deployment.address("PaymentToken")),
                account, Address.parse(deployment.address("PaymentChannels")), prices, 60);
        LocalBackend engine = new LocalBackend(new ModelStore(home, Clock.systemUTC()), LocalBackend.Settings.defaults());
        InferenceBackend backend = paceMillis == 0 ? engine : new Paced(engine, paceMillis);
        ProviderService service = ProviderService.start(backend, terms, contracts.channels(),
                new ReceiptSigner(new ReceiptDomain(deployment.chainId(), Address.parse(deployment.address("ProviderRegistry"))),
                        account, sender::signTypedData), Path.of(args[2]), "127.0.0.1", 0, null, Clock.systemUTC());
        System.out.println("PORT " + service.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE); // killed by the test, never stopped cleanly
    }

    /** The real engine, waiting before each piece it hands on, as a slow machine would. */
    private static final class Paced extends ForwardingBackend {
        private final long millis;

        Paced(InferenceBackend engine, long millis) {
            super(engine);
            this.millis = millis;
        }

        @Override
        public Completion generate(GenerateCall call, TextSink sink) {
            return engine.generate(call, TextSink.wrapping(sink, piece -> {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                sink.accept(piece);
            }));
        }
    }
}
