package dev.hypha.cli;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import org.junit.jupiter.api.Tag;

/**
 * Jazzer targets for the CLI's own parsers of typed input (amounts, provider endpoints). Contract: any input either
 * parses to a valid value or fails with a one-line INPUT error; anything else is a bug.
 *
 * <p>In the normal suite these run in Jazzer's regression mode over the seeds in
 * {@code src/test/resources/dev/hypha/cli/CliFuzzTestInputs/<method>} (and any findings saved there), which takes a
 * few seconds. To fuzz one target for real (one per run; findings are written to that inputs folder):
 * <pre>JAZZER_FUZZ=1 scripts/test-slow.sh -pl hypha-cli -am -Dgroups=fuzz -Dtest='CliFuzzTest#tokenAmount' -Djazzer.max_duration=10m</pre>
 * jqwik ({@link TokenAmountTest}) checks the same contracts with random inputs.
 */
@Tag("fuzz")
class CliFuzzTest {

    private static final BigInteger UINT256_MAX = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);

    @FuzzTest(maxDuration = "10s")
    void tokenAmount(FuzzedDataProvider data) {
        int decimals = data.consumeInt(0, 30);
        String text = data.consumeRemainingAsString();
        try {
            BigInteger units = TokenAmount.parse(text, decimals, "amount").baseUnits();
            if (units.signum() <= 0 || units.compareTo(UINT256_MAX) > 0) {
                throw new AssertionError("out of range: " + units);
            }
            if (!TokenAmount.parse(TokenAmount.format(units, decimals), decimals, "amount").baseUnits().equals(units)) {
                throw new AssertionError("format/parse is not the identity for " + units);
            }
        } catch (HyphaException expected) {
            requireOneLineInputError(expected);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void providerEndpoint(FuzzedDataProvider data) {
        try {
            ProviderCommand.checkEndpoint(data.consumeRemainingAsString());
        } catch (HyphaException expected) {
            requireOneLineInputError(expected);
        }
    }

    private static void requireOneLineInputError(HyphaException e) {
        if (e.category() != ErrorCategory.INPUT || e.getMessage().isBlank()) {
            throw new AssertionError("expected a clear INPUT error, got " + e.category() + ": " + e.getMessage());
        }
    }
}
