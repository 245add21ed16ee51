package dev.hypha.node.payments;

import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.core.crypto.Address;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** How both ledgers store a channel's parameters: five text columns after its id. */
final class ChannelColumns {
    static final String DDL = "id TEXT PRIMARY KEY, payer TEXT NOT NULL, provider TEXT NOT NULL, token TEXT NOT NULL, "
            + "signer TEXT NOT NULL, salt TEXT NOT NULL";
    static final String NAMES = "id, payer, provider, token, signer, salt";

    private ChannelColumns() {}

    /** Binds id and the five parameters to placeholders 1..6. */
    static void bind(PreparedStatement ps, ChannelParams c) throws SQLException {
        ps.setString(1, c.id());
        ps.setString(2, c.payer().lowercaseHex());
        ps.setString(3, c.provider().lowercaseHex());
        ps.setString(4, c.token().lowercaseHex());
        ps.setString(5, c.signer().lowercaseHex());
        ps.setString(6, c.salt());
    }

    /** Reads the five parameters from columns named as in {@link #NAMES}. */
    static ChannelParams read(ResultSet rs) throws SQLException {
        return new ChannelParams(Address.parse(rs.getString("payer")), Address.parse(rs.getString("provider")),
                Address.parse(rs.getString("token")), Address.parse(rs.getString("signer")), rs.getString("salt"));
    }
}
