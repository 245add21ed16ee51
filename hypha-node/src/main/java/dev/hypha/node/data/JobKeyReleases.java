package dev.hypha.node.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Compute-to-data without the owner watching: for one owner, finds ComputeMarket orders that are leased now and whose
 * spec holds a job grant on one of the owner's assets, reads the leaseholder's data key card from where the provider
 * publishes it, and releases the key through {@link JobDataKeys#release} (the same checks as {@code hypha data
 * release}: the spec's grant, the lease, the card signed by the lease's provider).
 *
 * <p>State, per owner, in {@code <home>/data/job-releases/<owner>.json}: a cursor (the lowest order id that may still
 * need a release: every order below it is closed or cancelled) and the (order, asset) pairs released at or above it.
 * It is written after each release's transaction (rename into place): a crash between the transaction and the write
 * releases the same key to the same leaseholder again at the next pass, which replaces it with an equal one (costs gas,
 * exposes nothing). A pass reads at most {@link #MAX_ORDERS_PER_PASS} orders from the cursor, so its work is bounded
 * however many orders the market holds; an order that stays open for long keeps the cursor behind it (its window then
 * moves no further: stated limitation, the market's orders close within their deposit's time).
 */
public final class JobKeyReleases {
    /** What happened for one (order, asset). */
    public record Outcome(BigInteger orderId, long assetId, Address provider, boolean released, String note) {}

    static final int MAX_ORDERS_PER_PASS = 256;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path stateFile;
    private final HyphaContracts contracts;
    private final JobDataKeys keys;
    private final Function<Address, DataKeyCard> cards;

    /**
     * @param contracts the contracts as the owner (release transactions are the owner's)
     * @param cards     a provider's card (normally {@link ProviderKeyCards#of})
     */
    public JobKeyReleases(Path home, Address owner, HyphaContracts contracts, JobDataKeys keys,
                          Function<Address, DataKeyCard> cards) {
        this.stateFile = home.resolve("data").resolve("job-releases").resolve(owner.lowercaseHex() + ".json");
        this.contracts = Objects.requireNonNull(contracts, "contracts");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.cards = Objects.requireNonNull(cards, "cards");
    }

    /**
     * Releases the keys of {@code assets} (the owner's) due to leased orders, in order id then asset id order. A failure
     * for one pair (unreachable provider, bad card, reverted transaction) is an outcome, not an exception, and that
     * pair is tried again at the next pass.
     */
    public List<Outcome> releaseDue(List<Long> assets) {
        List<Long> sorted = new TreeSet<>(assets).stream().filter(a -> a > 0).toList();
        State state = State.read(stateFile);
        BigInteger next = contracts.compute().nextOrderId();
        BigInteger end = next.min(state.cursor.add(BigInteger.valueOf(MAX_ORDERS_PER_PASS)));
        List<Outcome> outcomes = new ArrayList<>();
        BigInteger cursor = state.cursor;
        boolean prefixFinal = true;
        for (BigInteger id = state.cursor; id.compareTo(end) < 0; id = id.add(BigInteger.ONE)) {
            ComputeOrder order = contracts.compute().order(id);
            boolean fin = order.state() == OrderState.CLOSED || order.state() == OrderState.CANCELLED;
            if (prefixFinal && fin) {
                cursor = id.add(BigInteger.ONE);
                continue;
            }
            prefixFinal = false;
            if (order.state() != OrderState.LEASED || sorted.isEmpty()) continue;
            byte[] spec = Hex.decode(order.spec(), 32, "order spec");
            for (long asset : sorted) {
                String pair = id + ":" + asset;
                if (state.released.contains(pair) || !contracts.grants().jobHasAccess(asset, spec)) continue;
                try {
                    DataKeyCard card = cards.apply(order.provider());
                    Address to = keys.release(asset, id, card);
                    state.released.add(pair);
                    state.write(stateFile, cursor); // after the transaction: see the class comment
                    outcomes.add(new Outcome(id, asset, to, true, "released the key of asset #" + asset + " to "
                            + to.toChecksumString() + ", which holds order " + id + "'s lease"));
                } catch (RuntimeException e) {
                    outcomes.add(new Outcome(id, asset, order.provider(), false, "cannot release the key of asset #"
                            + asset + " for order " + id + " (tried again): " + e.getMessage()));
                }
            }
        }
        if (!cursor.equals(state.cursor) || !Files.exists(stateFile)) {
            BigInteger c = cursor;
            state.released.removeIf(p -> new BigInteger(p.substring(0, p.indexOf(':'))).compareTo(c) < 0);
            state.write(stateFile, cursor);
        }
        return outcomes;
    }

    /** The cursor and the released pairs at or above it ("order:asset", sorted for a stable file). */
    private static final class State {
        BigInteger cursor;
        final TreeSet<String> released = new TreeSet<>();

        static State read(Path file) {
            State s = new State();
            s.cursor = BigInteger.ONE;
            if (!Files.exists(file)) return s;
            try {
                JsonNode root = JSON.readTree(Files.readAllBytes(file));
                s.cursor = new BigInteger(root.path("cursor").asText("1"));
                if (s.cursor.signum() <= 0) throw new NumberFormatException("cursor " + s.cursor + " is not positive");
                for (JsonNode p : root.path("released")) {
                    String text = p.asText();
                    if (!text.matches("[0-9]{1,78}:[0-9]{1,19}")) throw new NumberFormatException("bad pair " + text);
                    s.released.add(text);
                }
            } catch (IOException | RuntimeException e) {
                throw HyphaException.io("cannot read the job key release record " + file + ": " + e.getMessage(),
                        e instanceof IOException io ? io : new IOException(e));
            }
            return s;
        }

        void write(Path file, BigInteger newCursor) {
            ObjectNode root = JSON.createObjectNode();
            root.put("cursor", newCursor.toString());
            ArrayNode pairs = root.putArray("released");
            released.forEach(pairs::add);
            try {
                Files.createDirectories(file.getParent());
                DurableFiles.replace(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            } catch (IOException e) {
                throw HyphaException.io("cannot write the job key release record " + file + ": " + e.getMessage(), e);
            }
        }
    }
}
