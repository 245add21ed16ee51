package dev.hypha.node.data;

import dev.hypha.chain.assets.AccessRequest;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import dev.hypha.core.seal.KeyWrap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The owner's side of paid access: AccessGrants holds a buyer's payment until the owner delivers the data key wrapped
 * to the key the buyer put in its request (sent by the buyer itself, so it is the buyer's), then pays the asset through
 * RoyaltySplitter. {@link #fulfilOpen} delivers every open request for an asset this account owns and can open.
 * The owner must be online to deliver: a request left undelivered for AccessGrants' 3-day window is refunded.
 *
 * <p>Requests count up from 1, so two ids kept per owner in {@code <home>/data/requests-<address>.cursor} are the whole
 * state: the lowest id that may still be open, and where the last pass stopped reading (per owner: a home sells for
 * several accounts, and one shared read position would let their passes take turns on alternate windows, each never
 * reading the other's). The one shared {@code requests.cursor} of earlier versions is read once as the lowest id. Each pass reads at most {@link #MAX_PER_PASS}
 * requests, going on from where the last one stopped, and starts again at the lowest open id once it has read up to
 * the newest. (Reading always from the lowest open id would let one request nobody ever delivers, its owner gone and
 * its buyer never refunded, pin every pass to the same window, and no later request would ever be seen.)
 */
public final class PaidRequests {
    /** Most requests read in one pass. */
    public static final int MAX_PER_PASS = 256;

    /** One delivered (or skipped) request. */
    public record Outcome(long requestId, long assetId, Address buyer, boolean delivered, String note) {}

    private final Path cursorFile;
    private final Path sharedCursorFile;
    private final HyphaContracts contracts;
    private final DataOwner owner;
    private final Address me;
    private final int window;

    public PaidRequests(Path home, HyphaContracts contracts, DataOwner owner, Address me) {
        this(home, contracts, owner, me, MAX_PER_PASS);
    }

    /** As above, reading at most {@code window} requests a pass (tests use a small one). */
    PaidRequests(Path home, HyphaContracts contracts, DataOwner owner, Address me, int window) {
        if (window < 1) throw new IllegalArgumentException("window must be positive");
        this.contracts = Objects.requireNonNull(contracts, "contracts");
        this.owner = Objects.requireNonNull(owner, "owner");
        this.me = Objects.requireNonNull(me, "me");
        this.cursorFile = home.resolve("data").resolve("requests-" + me.lowercaseHex() + ".cursor");
        this.sharedCursorFile = home.resolve("data").resolve("requests.cursor");
        this.window = window;
    }

    /** Delivers the open requests for this account's assets; returns what it did with each open one it saw. */
    public List<Outcome> fulfilOpen() {
        long next = contracts.grants().nextRequestId();
        long[] cursor = cursor();
        long low = Math.max(1, cursor[0]);
        // go on where the last pass stopped; back to the lowest open id once the newest was reached
        long from = cursor[1] > low && cursor[1] < next ? cursor[1] : low;
        long lowestOpen = -1;
        List<Outcome> done = new ArrayList<>();
        long end = Math.min(next, from + window);
        for (long id = from; id < end; id++) {
            AccessRequest r = contracts.grants().request(id);
            if (r.state() != AccessRequest.State.OPEN) continue;
            if (!contracts.assets().owner(r.assetId()).equals(me)) {
                if (lowestOpen < 0) lowestOpen = id; // someone else's: it may stay open, keep looking at it
                continue;
            }
            byte[] wrapped;
            dev.hypha.core.seal.DataKey key;
            try {
                key = owner.dataKey(r.assetId());
            } catch (HyphaException noKey) {
                // not added here, or the owner's own grant was revoked: leave it open (the buyer's refund stays due)
                if (lowestOpen < 0) lowestOpen = id;
                done.add(new Outcome(id, r.assetId(), r.buyer(), false, "not delivered: " + noKey.getMessage()));
                continue;
            }
            try {
                wrapped = KeyWrap.wrap(key, r.recipientKey());
            } catch (IllegalArgumentException unusableKey) {
                // No key can be delivered to it: refund the buyer now rather than after the window.
                contracts.grants().decline(id);
                done.add(new Outcome(id, r.assetId(), r.buyer(), false, "declined: " + unusableKey.getMessage()));
                continue;
            }
            try {
                contracts.grants().fulfil(id, wrapped);
                done.add(new Outcome(id, r.assetId(), r.buyer(), true, "delivered"));
            } catch (HyphaException e) {
                if (lowestOpen < 0) lowestOpen = id;
                done.add(new Outcome(id, r.assetId(), r.buyer(), false, e.getMessage()));
            }
        }
        // [low, from) was not read again this pass: what was open there may still be, so low moves only when read
        long newLow = from == low ? (lowestOpen < 0 ? end : lowestOpen) : low;
        saveCursor(newLow, end < next ? end : newLow);
        return done;
    }

    /** {lowest id that may be open, where the last pass stopped}; a file from before holds only the first. */
    private long[] cursor() {
        Path file = Files.isRegularFile(cursorFile) ? cursorFile : sharedCursorFile;
        try {
            if (!Files.isRegularFile(file)) return new long[] {1, 1};
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (text.length() > 41) throw HyphaException.input(file + " does not hold request ids");
            String[] parts = text.split(" ", -1);
            if (parts.length > 2) throw new NumberFormatException(text);
            long low = Long.parseLong(parts[0]);
            return new long[] {low, parts.length == 2 ? Long.parseLong(parts[1]) : low};
        } catch (NumberFormatException e) {
            throw HyphaException.input(file + " does not hold request ids (remove it to start over)");
        } catch (IOException e) {
            throw HyphaException.io("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private void saveCursor(long low, long resume) {
        try {
            Files.createDirectories(cursorFile.getParent());
            DurableFiles.replace(cursorFile, (low + " " + resume + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw HyphaException.io("cannot write " + cursorFile + ": " + e.getMessage(), e);
        }
    }
}
