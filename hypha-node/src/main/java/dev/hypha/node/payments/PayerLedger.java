package dev.hypha.node.payments;

import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.Voucher;
import dev.hypha.chain.channels.VoucherDomain;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A payer's channels and the total it has signed on each. {@link #authorize} records a new total durably before it
 * signs it, so after a crash the payer never signs a smaller total than one a provider may already hold (which the
 * provider would refuse, or worse, which would let the payer be billed twice for the same tokens).
 */
public final class PayerLedger implements AutoCloseable {
    private final LedgerDb store;
    private final VoucherDomain domain;

    private PayerLedger(Path file, VoucherDomain domain) {
        this.domain = Objects.requireNonNull(domain, "domain");
        this.store = new LedgerDb(file, List.of("CREATE TABLE IF NOT EXISTS channels (" + ChannelColumns.DDL
                + ", deposit TEXT NOT NULL, signed TEXT NOT NULL)"));
    }

    /** Opens (or creates) the ledger for channels of the PaymentChannels contract {@code domain} names. */
    public static PayerLedger open(Path file, VoucherDomain domain) {
        return new PayerLedger(file, domain);
    }

    /** Records a channel and its deposit as seen on chain (deposits only grow: a lower figure is ignored). */
    public synchronized void track(ChannelParams channel, BigInteger deposit) {
        try (PreparedStatement ps = store.db.prepareStatement("INSERT INTO channels (" + ChannelColumns.NAMES
                + ", deposit, signed) VALUES (?, ?, ?, ?, ?, ?, ?, '0') ON CONFLICT(id) DO NOTHING")) {
            ChannelColumns.bind(ps, channel);
            ps.setString(7, deposit.toString());
            ps.executeUpdate();
            Row row = row(channel.id());
            if (deposit.compareTo(row.deposit) > 0) {
                update("deposit", channel.id(), deposit);
            }
            store.db.commit();
        } catch (SQLException e) {
            throw store.fail("record channel " + channel.id(), e);
        }
    }

    /**
     * Signs a voucher for {@code newTotal} on a channel, after recording it durably.
     *
     * @throws HyphaException INPUT when the channel is unknown, the total is below one already signed, or above the
     *     deposit (top up first)
     */
    public synchronized Voucher authorize(String channelId, BigInteger newTotal, Function<TypedData, Signature> signer) {
        Row row = row(channelId);
        if (newTotal.compareTo(row.signed) < 0) {
            throw HyphaException.input("channel " + channelId + ": a voucher for " + newTotal
                    + " would be below the " + row.signed + " already signed");
        }
        if (newTotal.compareTo(row.deposit) > 0) {
            throw HyphaException.input("channel " + channelId + " holds " + row.deposit + "; a voucher for " + newTotal
                    + " would exceed it: top the channel up or open another");
        }
        try {
            update("signed", channelId, newTotal);
            store.db.commit();
        } catch (SQLException e) {
            throw store.fail("record the voucher total on " + channelId, e);
        }
        return domain.sign(channelId, newTotal, signer);
    }

    /** The largest total signed on a channel (0 before the first voucher). */
    public synchronized BigInteger signedTotal(String channelId) {
        return row(channelId).signed;
    }

    /** The deposit last seen on chain. */
    public synchronized BigInteger deposit(String channelId) {
        return row(channelId).deposit;
    }

    /** Every tracked channel, in id order. */
    public synchronized List<ChannelParams> channels() {
        List<ChannelParams> out = new ArrayList<>();
        try (PreparedStatement ps = store.db.prepareStatement("SELECT * FROM channels ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(ChannelColumns.read(rs));
            }
            return List.copyOf(out);
        } catch (SQLException e) {
            throw store.fail("list channels", e);
        }
    }

    private record Row(BigInteger deposit, BigInteger signed) {}

    private Row row(String channelId) {
        try (PreparedStatement ps = store.db.prepareStatement("SELECT deposit, signed FROM channels WHERE id = ?")) {
            ps.setString(1, channelId.toLowerCase(java.util.Locale.ROOT));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw HyphaException.input("channel " + channelId + " is not in this payer's ledger");
                }
                return new Row(new BigInteger(rs.getString(1)), new BigInteger(rs.getString(2)));
            }
        } catch (SQLException e) {
            throw store.fail("read channel " + channelId, e);
        }
    }

    private void update(String column, String channelId, BigInteger value) throws SQLException {
        try (PreparedStatement ps = store.db.prepareStatement("UPDATE channels SET " + column + " = ? WHERE id = ?")) {
            ps.setString(1, value.toString());
            ps.setString(2, channelId.toLowerCase(java.util.Locale.ROOT));
            ps.executeUpdate();
        }
    }

    @Override
    public synchronized void close() {
        store.close();
    }
}
