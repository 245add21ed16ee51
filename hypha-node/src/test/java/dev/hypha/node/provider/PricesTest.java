package dev.hypha.node.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.node.gateway.TokenBudget;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** Per-million prices round up to a whole unit, so no request is free for being short. */
class PricesTest {
    private static final Prices P = new Prices(BigInteger.valueOf(200_000), BigInteger.valueOf(600_000));

    @Test
    void costsRoundUpAndTheMaximumCountsEveryTokenAllowed() {
        assertThat(P.cost(0, 0)).isZero();
        assertThat(P.cost(1, 0)).isEqualTo(BigInteger.ONE); // 0.2 of a unit rounds up
        assertThat(P.cost(5, 0)).isEqualTo(BigInteger.ONE); // exactly 1
        assertThat(P.cost(6, 0)).isEqualTo(BigInteger.TWO);
        assertThat(P.cost(1_000_000, 1_000_000)).isEqualTo(BigInteger.valueOf(800_000));
        assertThat(P.maximum(new TokenBudget(10, 5))).isEqualTo(BigInteger.valueOf(5)); // 2 + 3
        assertThat(new Prices(BigInteger.ONE, BigInteger.ONE).cost(Long.MAX_VALUE, Long.MAX_VALUE))
                .isEqualTo(BigInteger.valueOf(Long.MAX_VALUE).multiply(BigInteger.TWO)
                        .add(BigInteger.valueOf(999_999)).divide(BigInteger.valueOf(1_000_000)));
    }

    @Test
    void negativePricesAndCountsAreRefused() {
        assertThatThrownBy(() -> new Prices(BigInteger.valueOf(-1), BigInteger.ONE)).hasMessageContaining("must be >= 0");
        assertThatThrownBy(() -> P.cost(-1, 0)).hasMessageContaining("token counts must be >= 0");
    }
}
