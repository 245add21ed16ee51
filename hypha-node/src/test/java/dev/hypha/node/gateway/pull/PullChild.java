package dev.hypha.node.gateway.pull;

import dev.hypha.core.crypto.Address;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.offers.Offer;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * A gateway's pull in a JVM of its own, for {@link PullKillTest} to kill with SIGKILL: args HOME ENDPOINT DIGEST NAME.
 * One worker, so leaves are fetched one after the other and each is journalled before the next is asked for.
 */
public final class PullChild {
    private PullChild() {}

    public static void main(String[] args) {
        Address provider = Address.parse("0x00000000000000000000000000000000000000c3");
        Offer offer = new Offer(provider, URI.create(args[1]), provider, args[3], args[2], provider, BigInteger.ONE,
                BigInteger.ONE, 256, 1, Instant.now().plusSeconds(3600));
        new Puller(new ModelStore(Path.of(args[0]), Clock.systemUTC()), () -> List.of(offer),
                o -> HttpClient.newHttpClient(), o -> true, Clock.systemUTC(), new Puller.Settings(1, 1, 1L << 40))
                .pull(args[3], PullStatus.Listener.NONE);
        System.out.println("FINISHED"); // never reached in the test: the pull is killed first
    }
}
