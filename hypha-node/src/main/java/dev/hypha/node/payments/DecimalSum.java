package dev.hypha.node.payments;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.Function;

/**
 * {@code decimal_sum(x)}: an SQLite aggregate that adds decimal integer texts exactly. Amounts are uint256 and stored
 * as text; SQLite's own {@code SUM} would cast them to 64-bit integers (clamping silently above 2^63) or to doubles, so
 * a large spend would be misreported. Registered on a ledger's connection so the GROUP BY stays in SQL.
 */
final class DecimalSum extends Function.Aggregate {
    static final String NAME = "decimal_sum";

    private BigInteger total = BigInteger.ZERO;

    private DecimalSum() {}

    /** Makes {@code decimal_sum} available on {@code db}. */
    static void register(Connection db) throws SQLException {
        Function.create(db, NAME, new DecimalSum());
    }

    @Override
    protected void xStep() throws SQLException {
        String value = value_text(0);
        if (value == null) {
            return;
        }
        try {
            total = total.add(new BigInteger(value));
        } catch (NumberFormatException e) {
            throw new SQLException("decimal_sum: '" + value + "' is not a decimal integer", e);
        }
    }

    @Override
    protected void xFinal() throws SQLException {
        result(total.toString());
        total = BigInteger.ZERO;
    }

    @Override
    public Object clone() throws CloneNotSupportedException {
        // sqlite-jdbc clones the registered instance per aggregation (per group run), so each starts from zero
        DecimalSum copy = (DecimalSum) super.clone();
        copy.total = BigInteger.ZERO;
        return copy;
    }
}
