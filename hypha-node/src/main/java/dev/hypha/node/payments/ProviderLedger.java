package dev.hypha.node.payments;

import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.Voucher;
import dev.hypha.chain.channels.VoucherDomain;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A provider's channels: the best voucher it holds on each and what has been redeemed. {@link #accept} checks a
 * voucher (the channel signer's signature, within the deposit, paying at least the request's price more than the best
 * so far) and records it durably before the provider serves, so a voucher it acted on survives any crash and can be
 * redeemed after a restart.
 */
public final class ProviderLedger implements AutoCloseable {

    /**
     * Money set aside on a channel for one request until it is answered: {@code reserved} (the request's maximum
     * price) is counted as charged until {@link #charge} replaces it with the actual price.
     *
     * @param channelId     the channel
     * @param reserved      the request's maximum price
     * @param voucherTotal  the total of the voucher that paid for it
     */
    public record Reservation(String channelId, BigInteger reserved, BigInteger voucherTotal) {}

    /** A channel whose best voucher pays more than what is redeemed. */
    public record Redeemable(ChannelParams channel, Voucher voucher, BigInteger redeemed, BigInteger charged) {
        /**
         * The total to claim on chain: what the answers cost, never more than the voucher promises. A voucher signed in
         * advance for a request's maximum is not cashed beyond its actual price.
         */
        public BigInteger claim() {
            return charged.min(voucher.cumulativeAmount());
        }
    }

    /**
     * Judges a voucher on a channel whose signer is a contract (an AgentAccount, ERC-1271), which ECDSA recovery
     * alone cannot: e.g. {@code PaymentChannelsClient::accountAccepts}, which asks the account on chain.
     */
    @FunctionalInterface
    public interface ContractSigners {
        /** None: only ECDSA signers' vouchers are accepted. */
        ContractSigners NONE = (channel, voucher) -> false;

        boolean accepts(ChannelParams channel, Voucher voucher);
    }

    private final LedgerDb store;
    private final VoucherDomain domain;
    private final ContractSigners contractSigners;

    /** The most charges one {@link #earningsOverTime} reads (the newest of its window), bounding what a chart costs. */
    public static final int MAX_HISTORY_ROWS = 50_000;

    private ProviderLedger(Path file, VoucherDomain domain, ContractSigners contractSigners) {
        this.domain = Objects.requireNonNull(domain, "domain");
        this.contractSigners = Objects.requireNonNull(contractSigners, "contractSigners");
        this.store = new LedgerDb(file, schema());
    }

    private static List<String> schema() {
        List<String> schema = new ArrayList<>(List.of("CREATE TABLE IF NOT EXISTS channels (" + ChannelColumns.DDL
                + ", deposit TEXT NOT NULL, best TEXT NOT NULL, signature TEXT, redeemed TEXT NOT NULL,"
                + " charged TEXT NOT NULL DEFAULT '0')",
                // What each model's answers were charged on each channel, and how many of their tokens the chain has
                // paid for (covered): written with the charge, so the tally never disagrees with the channels.
                "CREATE TABLE IF NOT EXISTS model_tally (channel TEXT NOT NULL, model TEXT NOT NULL,"
                        + " charged TEXT NOT NULL, tokens INTEGER NOT NULL, covered INTEGER NOT NULL DEFAULT 0,"
                        + " PRIMARY KEY (channel, model))",
                // Tokens whose royalty reached RoyaltySplitter, per model.
                "CREATE TABLE IF NOT EXISTS model_routed (model TEXT PRIMARY KEY, tokens INTEGER NOT NULL)",
                // A royalty payment about to be sent (written before it is): after a crash, the chain is asked
                // whether it landed, so it is paid once.
                "CREATE TABLE IF NOT EXISTS royalty_pending (model TEXT PRIMARY KEY, asset INTEGER NOT NULL,"
                        + " token TEXT NOT NULL, tokens INTEGER NOT NULL, amount TEXT NOT NULL, from_block INTEGER NOT NULL)"));
        // Each charge with its time and model (issue 17): created on open, so an older ledger gains it unchanged.
        schema.addAll(ChargeHistory.DDL);
        return List.copyOf(schema);
    }

    /** Opens (or creates) the ledger for vouchers of the PaymentChannels contract {@code domain} names. */
    public static ProviderLedger open(Path file, VoucherDomain domain) {
        return new ProviderLedger(file, domain, ContractSigners.NONE);
    }

    /**
     * As {@link #open(Path, VoucherDomain)}, also accepting vouchers that a channel's contract signer accepts (asked
     * for each new voucher not signed by the signer's own key; an AgentAccount keeps honouring the vouchers of the key
     * that funded the channel, up to its funding, after a freeze, expiry or revocation).
     */
    public static ProviderLedger open(Path file, VoucherDomain domain, ContractSigners contractSigners) {
        return new ProviderLedger(file, domain, contractSigners);
    }

    /** Records a channel to this provider and its deposit as seen on chain (a lower figure than known is ignored). */
    public synchronized void track(ChannelParams channel, BigInteger deposit) {
        try (PreparedStatement ps = store.db.prepareStatement("INSERT INTO channels (" + ChannelColumns.NAMES
                + ", deposit, best, signature, redeemed) VALUES (?, ?, ?, ?, ?, ?, ?, '0', NULL, '0')"
                + " ON CONFLICT(id) DO NOTHING")) {
            ChannelColumns.bind(ps, channel);
            ps.setString(7, deposit.toString());
            ps.executeUpdate();
            if (deposit.compareTo(row(channel.id()).deposit) > 0) {
                set("deposit", channel.id(), deposit.toString());
            }
            store.db.commit();
        } catch (SQLException e) {
            throw store.fail("record channel " + channel.id(), e);
        }
    }

    /**
     * Accepts a voucher that pays at least {@code price} more than the best one held, recording it before returning.
     *
     * @return the new best total
     * @throws VoucherRejectedException naming why the voucher cannot pay for the request
     */
    public synchronized BigInteger accept(Voucher voucher, BigInteger price) {
        String id = voucher.channelId().toLowerCase(Locale.ROOT);
        Row row = payableRow(id, voucher);
        BigInteger total = voucher.cumulativeAmount();
        BigInteger added = total.subtract(row.best);
        if (added.compareTo(price) < 0) {
            throw new VoucherRejectedException("voucher on channel " + id + " adds " + added.max(BigInteger.ZERO)
                    + " to the " + row.best + " already promised; this request costs " + price);
        }
        // accept() serves against the whole voucher, so everything it promises counts as charged.
        record(id, voucher, total);
        return total;
    }

    /**
     * Accepts a voucher for a request that costs at most {@code maxPrice}, reserving that much until {@link #charge}
     * settles the actual price. Unlike {@link #accept}, what an answer cost less than its maximum stays the payer's:
     * the voucher must cover everything charged so far plus this maximum, not the best voucher plus it, so a payer
     * loses at most one request's maximum price to a provider that dies mid-answer. Recorded before returning.
     *
     * @throws VoucherRejectedException naming why the voucher cannot pay for the request (unknown channel, wrong
     *                                  signer, beyond the deposit, stale, or short of what is charged plus the price)
     */
    public synchronized Reservation reserve(Voucher voucher, BigInteger maxPrice) {
        String id = voucher.channelId().toLowerCase(Locale.ROOT);
        Row row = payableRow(id, voucher);
        BigInteger total = voucher.cumulativeAmount();
        if (total.compareTo(row.best) < 0) {
            throw new VoucherRejectedException("voucher on channel " + id + " is stale: it promises " + total
                    + ", less than the " + row.best + " already promised");
        }
        BigInteger charged = charged(id);
        BigInteger needed = charged.add(maxPrice);
        if (total.compareTo(needed) < 0) {
            throw new VoucherRejectedException("voucher on channel " + id + " promises " + total + "; " + charged
                    + " is charged already and this request may cost up to " + maxPrice + ", so it must promise at least "
                    + needed, charged);
        }
        record(id, voucher, needed);
        return new Reservation(id, maxPrice, total);
    }

    /**
     * Whether a voucher is worth starting work for before {@link #reserve} settles it: its channel is tracked, the
     * channel's signer signed it, the deposit last seen covers it and it is not stale. A filter that writes nothing,
     * not an admission: it keeps a forged, unknown or replayed payment from making the provider compute anything before
     * it is refused. What it cannot know yet is the request's price, so a voucher short of it still passes.
     */
    public synchronized boolean vouches(Voucher voucher) {
        try {
            Row row = payableRow(voucher.channelId().toLowerCase(Locale.ROOT), voucher);
            return voucher.cumulativeAmount().compareTo(row.best) >= 0;
        } catch (VoucherRejectedException unknownOrUnpayable) {
            return false;
        }
    }

    /**
     * The row of a known channel whose signer signed {@code voucher} and whose deposit covers it: the checks every
     * voucher passes before the price is looked at.
     */
    private Row payableRow(String id, Voucher voucher) {
        Row row = knownRow(id);
        if (!row.holds(voucher) && !domain.isSignedBy(voucher, row.channel.signer())
                && !contractSigners.accepts(row.channel, voucher)) {
            throw new VoucherRejectedException("voucher on channel " + id + " is not signed by the channel's signer "
                    + row.channel.signer() + (contractSigners == ContractSigners.NONE ? ""
                    : " nor accepted by it as an account (the session key that funded it, within what it funded)"));
        }
        BigInteger total = voucher.cumulativeAmount();
        if (total.compareTo(row.deposit) > 0) {
            throw new VoucherRejectedException("voucher on channel " + id + " promises " + total + " but the channel holds "
                    + row.deposit + ": top it up");
        }
        return row;
    }

    /** Keeps {@code voucher} as the channel's best and sets its charged total, durably, before the caller serves. */
    private void record(String id, Voucher voucher, BigInteger charged) {
        try {
            try (PreparedStatement ps = store.db.prepareStatement(
                    "UPDATE channels SET best = ?, signature = ?, charged = ? WHERE id = ?")) {
                ps.setString(1, voucher.cumulativeAmount().toString());
                ps.setString(2, voucher.signature().toHex());
                ps.setString(3, charged.toString());
                ps.setString(4, id);
                ps.executeUpdate();
            }
            store.db.commit();
        } catch (SQLException e) {
            throw store.fail("record a voucher on " + id, e);
        }
    }

    /**
     * Replaces a reservation by what the answer actually cost ({@code 0} when it failed), recorded before returning.
     *
     * @return the channel's charged total afterwards (what the receipt reports)
     */
    public synchronized BigInteger charge(Reservation reservation, BigInteger actual) {
        checkCost(reservation, actual);
        BigInteger after = charged(reservation.channelId()).subtract(reservation.reserved()).add(actual);
        try {
            set("charged", reservation.channelId(), after.toString());
            store.db.commit();
        } catch (SQLException e) {
            throw store.fail("record a charge on " + reservation.channelId(), e);
        }
        return after;
    }

    /**
     * As {@link #charge(Reservation, BigInteger)}, also adding the answer to its model's tally (what it was charged and
     * how many tokens it counted) in the same transaction: a crash keeps both or neither, so what royalties are owed on
     * never drifts from what the channels were charged.
     *
     * @param modelId the model's content digest as receipts name it
     * @param tokens  the answer's input plus output tokens
     */
    public synchronized BigInteger charge(Reservation reservation, BigInteger actual, String modelId, long tokens) {
        if (tokens < 0) {
            throw new IllegalArgumentException("an answer counts 0 or more tokens, not " + tokens);
        }
        return tallied(reservation, actual, modelId, tokens, null);
    }

    /**
     * As {@link #charge(Reservation, BigInteger, String, long)}, also recording the charge itself (when, model, channel,
     * tokens, amount) in {@link ChargeHistory}, still in the one transaction of the charge: a crash keeps the charge,
     * its tally and its history row together or none of them. What the provider's routes call for every answer.
     */
    public synchronized BigInteger charge(Reservation reservation, BigInteger actual, ChargeHistory.Charge what) {
        return tallied(reservation, actual, what.modelId(), what.tokens(), what);
    }

    private BigInteger tallied(Reservation reservation, BigInteger actual, String modelId, long tokens,
                               ChargeHistory.Charge history) {
        checkCost(reservation, actual);
        String model = modelId.toLowerCase(Locale.ROOT);
        BigInteger after = charged(reservation.channelId()).subtract(reservation.reserved()).add(actual);
        try {
            set("charged", reservation.channelId(), after.toString());
            BigInteger before = BigInteger.ZERO;
            try (PreparedStatement ps = store.db.prepareStatement(
                    "SELECT charged FROM model_tally WHERE channel = ? AND model = ?")) {
                ps.setString(1, reservation.channelId());
                ps.setString(2, model);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        before = new BigInteger(rs.getString(1));
                    }
                }
            }
            try (PreparedStatement ps = store.db.prepareStatement("INSERT INTO model_tally (channel, model, charged, tokens)"
                    + " VALUES (?, ?, ?, ?) ON CONFLICT(channel, model) DO UPDATE SET charged = excluded.charged,"
                    + " tokens = tokens + excluded.tokens")) {
                ps.setString(1, reservation.channelId());
                ps.setString(2, model);
                ps.setString(3, before.add(actual).toString());
                ps.setLong(4, tokens);
                ps.executeUpdate();
            }
            if (history != null) {
                ChargeHistory.insert(store.db, reservation.channelId(), history, actual);
            }
            store.db.commit();
        } catch (SQLException e) {
            throw store.fail("record a charge on " + reservation.channelId(), e);
        }
        return after;
    }

    private static void checkCost(Reservation reservation, BigInteger actual) {
        if (actual.signum() < 0 || actual.compareTo(reservation.reserved()) > 0) {
            throw new IllegalArgumentException("an answer costs between 0 and its reserved " + reservation.reserved()
                    + ", not " + actual);
        }
    }

    /** One model's tally: what its answers were charged, their tokens, and how many of those the chain has paid for. */
    public record ModelTally(String model, BigInteger charged, long tokens, long covered, long routed) {
        /** Tokens paid for on chain whose royalty has not reached RoyaltySplitter yet. */
        public long due() {
            return covered - routed;
        }
    }

    /** Every model's tally over all channels, in model order. */
    public synchronized List<ModelTally> modelTallies() {
        List<ModelTally> out = new ArrayList<>();
        try (PreparedStatement ps = store.db.prepareStatement("SELECT t.model, t.charged, t.tokens, t.covered,"
                + " COALESCE(r.tokens, 0) AS routed FROM model_tally t LEFT JOIN model_routed r ON r.model = t.model"
                + " ORDER BY t.model, t.channel");
             ResultSet rs = ps.executeQuery()) {
            ModelTally current = null;
            while (rs.next()) {
                String model = rs.getString("model");
                BigInteger charged = new BigInteger(rs.getString("charged"));
                if (current != null && current.model().equals(model)) {
                    current = new ModelTally(model, current.charged().add(charged), Math.addExact(current.tokens(),
                            rs.getLong("tokens")), Math.addExact(current.covered(), rs.getLong("covered")), current.routed());
                } else {
                    if (current != null) {
                        out.add(current);
                    }
                    current = new ModelTally(model, charged, rs.getLong("tokens"), rs.getLong("covered"),
                            rs.getLong("routed"));
                }
            }
            if (current != null) {
                out.add(current);
            }
            return List.copyOf(out);
        } catch (SQLException e) {
            throw store.fail("read the models' tallies", e);
        }
    }

    /**
     * Earnings over {@code window} per model, from the charges recorded with their history (at most
     * {@link #MAX_HISTORY_ROWS} of them, the newest; the result says when there were more).
     */
    public synchronized ChargeHistory.Series earningsOverTime(ChargeHistory.Window window) {
        try {
            return ChargeHistory.query(store.db, window, MAX_HISTORY_ROWS);
        } catch (SQLException e) {
            throw store.fail("read the earnings over time", e);
        }
    }

    /** The newest recorded charge's number (0 before any): it changes with every charge the history records. */
    public synchronized long newestCharge() {
        try {
            return ChargeHistory.newest(store.db);
        } catch (SQLException e) {
            throw store.fail("read the newest charge", e);
        }
    }

    /** A royalty payment recorded before it was sent (see {@link #royaltyPending}). */
    public record PendingRoyalty(String model, long assetId, String token, long tokens, BigInteger amount, long fromBlock) {}

    /**
     * Records, before sending it, that {@code amount} of {@code token} is about to be paid to {@code assetId} for
     * {@code tokens} of {@code model}'s due tokens; the chain is searched from {@code fromBlock} if the process dies.
     */
    public synchronized void royaltyPending(PendingRoyalty p) {
        try (PreparedStatement ps = store.db.prepareStatement("INSERT INTO royalty_pending"
                + " (model, asset, token, tokens, amount, from_block) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, p.model());
            ps.setLong(2, p.assetId());
            ps.setString(3, p.token());
            ps.setLong(4, p.tokens());
            ps.setString(5, p.amount().toString());
            ps.setLong(6, p.fromBlock());
            ps.executeUpdate();
            store.db.commit();
        } catch (SQLException e) {
            throw store.fail("record a royalty payment for " + p.model(), e);
        }
    }

    /** The royalty payments recorded and not yet known to have landed or failed, in model order. */
    public synchronized List<PendingRoyalty> pendingRoyalties() {
        List<PendingRoyalty> out = new ArrayList<>();
        try (PreparedStatement ps = store.db.prepareStatement("SELECT * FROM royalty_pending ORDER BY model");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new PendingRoyalty(rs.getString("model"), rs.getLong("asset"), rs.getString("token"),
                        rs.getLong("tokens"), new BigInteger(rs.getString("amount")), rs.getLong("from_block")));
            }
            return List.copyOf(out);
        } catch (SQLException e) {
            throw store.fail("list pending royalty payments", e);
        }
    }

    /**
     * Settles a pending royalty payment: when it {@code landed}, its tokens count as routed; either way it is no longer
     * pending. One transaction.
     */
    public synchronized void royaltySettled(PendingRoyalty p, boolean landed) {
        try {
            if (landed) {
                try (PreparedStatement ps = store.db.prepareStatement("INSERT INTO model_routed (model, tokens)"
                        + " VALUES (?, ?) ON CONFLICT(model) DO UPDATE SET tokens = tokens + excluded.tokens")) {
                    ps.setString(1, p.model());
                    ps.setLong(2, p.tokens());
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = store.db.prepareStatement("DELETE FROM royalty_pending WHERE model = ?")) {
                ps.setString(1, p.model());
                ps.executeUpdate();
            }
            store.db.commit();
        } catch (SQLException e) {
            throw store.fail("settle the royalty payment for " + p.model(), e);
        }
    }

    /** What answers on a channel have cost so far, open reservations included ({@code 0} for an unknown one). */
    public synchronized BigInteger charged(String channelId) {
        try (PreparedStatement ps = store.db.prepareStatement("SELECT charged FROM channels WHERE id = ?")) {
            ps.setString(1, channelId.toLowerCase(Locale.ROOT));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new BigInteger(rs.getString(1)) : BigInteger.ZERO;
            }
        } catch (SQLException e) {
            throw store.fail("read what is charged on " + channelId, e);
        }
    }

    /** The deposit last seen on chain for a channel, {@code 0} when it is not tracked. */
    public synchronized BigInteger deposit(String channelId) {
        try (PreparedStatement ps = store.db.prepareStatement("SELECT deposit FROM channels WHERE id = ?")) {
            ps.setString(1, channelId.toLowerCase(Locale.ROOT));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new BigInteger(rs.getString(1)) : BigInteger.ZERO;
            }
        } catch (SQLException e) {
            throw store.fail("read the deposit of " + channelId, e);
        }
    }

    private Row knownRow(String id) {
        try {
            return row(id);
        } catch (VoucherRejectedException e) {
            throw e;
        } catch (HyphaException unknown) {
            throw new VoucherRejectedException("channel " + id + " is unknown to this provider: open it on chain first");
        }
    }

    /** The best voucher held on a channel, if any. */
    public synchronized Optional<Voucher> best(String channelId) {
        Row row = row(channelId.toLowerCase(Locale.ROOT));
        return row.signature == null ? Optional.empty()
                : Optional.of(new Voucher(row.channel.id(), row.best, Signature.fromHex(row.signature)));
    }

    /** Channels where more is charged (and promised) than redeemed, in id order: what a redeemer should claim. */
    public synchronized List<Redeemable> unredeemed() {
        List<Redeemable> out = new ArrayList<>();
        try (PreparedStatement ps = store.db.prepareStatement("SELECT * FROM channels WHERE signature IS NOT NULL ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                BigInteger best = new BigInteger(rs.getString("best"));
                BigInteger redeemed = new BigInteger(rs.getString("redeemed"));
                BigInteger charged = new BigInteger(rs.getString("charged"));
                if (best.min(charged).compareTo(redeemed) > 0) {
                    ChannelParams channel = ChannelColumns.read(rs);
                    out.add(new Redeemable(channel, new Voucher(channel.id(), best, Signature.fromHex(rs.getString("signature"))),
                            redeemed, charged));
                }
            }
            return List.copyOf(out);
        } catch (SQLException e) {
            throw store.fail("list unredeemed channels", e);
        }
    }

    /**
     * What a channel has earned the provider: the deposit last seen, the best voucher's total, what answers were
     * charged (open reservations included) and what the chain has redeemed so far.
     */
    public record Earning(ChannelParams channel, BigInteger deposit, BigInteger best, BigInteger charged,
                          BigInteger redeemed) {
        /** What redeeming now would add: the charged part of the best voucher, less what is already redeemed. */
        public BigInteger toRedeem() {
            return best.min(charged).subtract(redeemed).max(BigInteger.ZERO);
        }
    }

    /** Every tracked channel's earnings, in id order (one row per channel, so as many as channels were opened). */
    public synchronized List<Earning> earnings() {
        List<Earning> out = new ArrayList<>();
        try (PreparedStatement ps = store.db.prepareStatement("SELECT * FROM channels ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Earning(ChannelColumns.read(rs), new BigInteger(rs.getString("deposit")),
                        new BigInteger(rs.getString("best")), new BigInteger(rs.getString("charged")),
                        new BigInteger(rs.getString("redeemed"))));
            }
            return List.copyOf(out);
        } catch (SQLException e) {
            throw store.fail("list the channels' earnings", e);
        }
    }

    /**
     * Records what the chain says is redeemed on a channel (only ever grows); when it covers all that is charged, the
     * tokens tallied on the channel become due for royalties.
     */
    public synchronized void redeemed(String channelId, BigInteger redeemedOnChain) {
        String id = channelId.toLowerCase(Locale.ROOT);
        BigInteger known = row(id).redeemed;
        BigInteger redeemed = known.max(redeemedOnChain);
        try {
            if (redeemed.compareTo(known) > 0) {
                set("redeemed", id, redeemed.toString());
            }
            // Once the chain has paid everything charged on the channel, every answer tallied on it is paid for: its
            // tokens become due for royalties. Conservative: a channel redeemed short waits for its next redemption.
            if (redeemed.compareTo(charged(id)) >= 0) {
                try (PreparedStatement ps = store.db.prepareStatement(
                        "UPDATE model_tally SET covered = tokens WHERE channel = ?")) {
                    ps.setString(1, id);
                    ps.executeUpdate();
                }
            }
            store.db.commit();
        } catch (SQLException e) {
            throw store.fail("record a redemption on " + id, e);
        }
    }

    private record Row(ChannelParams channel, BigInteger deposit, BigInteger best, String signature, BigInteger redeemed) {
        /**
         * Whether {@code voucher} is, byte for byte, the best voucher held: its signature was recovered when it was
         * recorded, so it need not be again. A payer that signs its next voucher ahead sends the same one with several
         * requests, and a recovery is the costliest step of admitting it (see bench/README.md, network overhead).
         */
        boolean holds(Voucher voucher) {
            return signature != null && best.equals(voucher.cumulativeAmount())
                    && signature.equals(voucher.signature().toHex());
        }
    }

    private Row row(String id) {
        try (PreparedStatement ps = store.db.prepareStatement("SELECT * FROM channels WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw HyphaException.input("channel " + id + " is not in this provider's ledger");
                }
                return new Row(ChannelColumns.read(rs), new BigInteger(rs.getString("deposit")),
                        new BigInteger(rs.getString("best")), rs.getString("signature"), new BigInteger(rs.getString("redeemed")));
            }
        } catch (SQLException e) {
            throw store.fail("read channel " + id, e);
        }
    }

    private void set(String column, String id, String value) throws SQLException {
        try (PreparedStatement ps = store.db.prepareStatement("UPDATE channels SET " + column + " = ? WHERE id = ?")) {
            ps.setString(1, value);
            ps.setString(2, id);
            ps.executeUpdate();
        }
    }

    @Override
    public synchronized void close() {
        store.close();
    }
}
