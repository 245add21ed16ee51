package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenAmountTest {

    private static final BigInteger WEI = BigInteger.TEN.pow(18);
    private static final BigInteger UINT256_MAX = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);

    @Test
    void parsesWholeAndFractionalHyp() {
        assertThat(TokenAmount.hyp("1000", "amount").baseUnits()).isEqualTo(WEI.multiply(BigInteger.valueOf(1000)));
        assertThat(TokenAmount.hyp("0.5", "amount").baseUnits()).isEqualTo(WEI.divide(BigInteger.TWO));
        assertThat(TokenAmount.hyp("0.000000000000000001", "amount").baseUnits()).isOne();
        assertThat(TokenAmount.hyp(" 2.50 ", "amount").baseUnits()).isEqualTo(WEI.multiply(BigInteger.valueOf(25)).divide(BigInteger.TEN));
        assertThat(TokenAmount.hyp("1.000000000000000000000", "amount").baseUnits())
                .as("trailing zeros beyond 18 places change nothing").isEqualTo(WEI);
    }

    @Test
    void theLargestUint256IsAccepted() {
        String max = TokenAmount.format(UINT256_MAX, 18);
        assertThat(TokenAmount.hyp(max, "amount").baseUnits()).isEqualTo(UINT256_MAX);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0                    | is zero: amount must be > 0",
        "0.000                | is zero: amount must be > 0",
        "-1                   | is negative: amount must be > 0",
        "-0.5                 | is negative",
        "0.0000000000000000001| has 19 decimal places; the token has only 18",
        "1e18                 | not a decimal number",
        "+5                   | not a decimal number",
        "1,000                | not a decimal number",
        "1_000                | not a decimal number",
        ".5                   | not a decimal number",
        "5.                   | not a decimal number",
        "0x10                 | not a decimal number",
        "NaN                  | not a decimal number",
        "Infinity             | not a decimal number",
        "１２                  | not a decimal number",
        "115792089237316195423570985008687907853269984665640564039458 | too large",
    })
    void rejectsBadAmountsWithOneClearInputError(String text, String expected) {
        assertThatThrownBy(() -> TokenAmount.hyp(text, "stake amount"))
                .isInstanceOfSatisfying(HyphaException.class,
                        e -> assertThat(e.category()).isEqualTo(ErrorCategory.INPUT))
                .hasMessageStartingWith("stake amount")
                .hasMessageContaining(expected)
                .hasMessageNotContaining("\n");
    }

    @Test
    void controlCharactersAreEscapedSoTheErrorStaysOneLine() {
        assertThatThrownBy(() -> TokenAmount.hyp("1\n2", "amount"))
                .hasMessageContaining("'1\\u000a2'").hasMessageNotContaining("\n");
    }

    @Test
    void emptyAndHugeTextAreRejected() {
        assertThatThrownBy(() -> TokenAmount.hyp("", "amount")).hasMessageContaining("empty");
        assertThatThrownBy(() -> TokenAmount.hyp(null, "amount")).hasMessageContaining("empty");
        assertThatThrownBy(() -> TokenAmount.hyp("9".repeat(10_000), "amount")).hasMessageContaining("too long");
    }

    @Property
    void formatThenParseIsTheIdentity(@ForAll("positiveUint256") BigInteger units,
                                      @ForAll @IntRange(min = 0, max = 30) int decimals) {
        assertThat(TokenAmount.parse(TokenAmount.format(units, decimals), decimals, "amount").baseUnits())
                .isEqualTo(units);
    }

    @Property
    void anyTextEitherParsesToAPositiveUint256OrIsAnInputError(@ForAll String text) {
        try {
            BigInteger units = TokenAmount.hyp(text, "amount").baseUnits();
            assertThat(units).isPositive().isLessThanOrEqualTo(UINT256_MAX);
        } catch (HyphaException e) {
            assertThat(e.category()).isEqualTo(ErrorCategory.INPUT);
            assertThat(e.getMessage()).doesNotContain("\n");
        }
    }

    @Provide
    Arbitrary<BigInteger> positiveUint256() {
        return Arbitraries.bigIntegers().between(BigInteger.ONE, UINT256_MAX).withDistribution(
                net.jqwik.api.RandomDistribution.biased());
    }
}
