package dev.hypha.core.errors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorCategoryTest {
    @Test
    void everyCategoryHasTheDocumentedNonZeroExitCode() {
        int[] codes = Arrays.stream(ErrorCategory.values()).mapToInt(ErrorCategory::exitCode).toArray();
        assertThat(codes).doesNotContain(0);
        // README.md documents these numbers; scripts depend on them.
        Map<ErrorCategory, Integer> documented = new EnumMap<>(Map.of(
                ErrorCategory.INTERNAL, 1, ErrorCategory.USAGE, 2, ErrorCategory.INPUT, 3, ErrorCategory.CONFIG, 3,
                ErrorCategory.NOT_FOUND, 3, ErrorCategory.AUTH, 4, ErrorCategory.NETWORK, 5, ErrorCategory.CHAIN, 6,
                ErrorCategory.IO, 7));
        assertThat(documented).containsOnlyKeys(ErrorCategory.values());
        for (ErrorCategory category : ErrorCategory.values()) {
            assertThat(category.exitCode()).as(category.name()).isEqualTo(documented.get(category));
        }
    }

    @Test
    void exceptionCarriesCategoryMessageAndCause() {
        var cause = new IllegalStateException("low level");
        HyphaException e = new HyphaException(ErrorCategory.NETWORK, "RPC endpoint http://127.0.0.1:1 is unreachable", cause);
        assertThat(e.category()).isEqualTo(ErrorCategory.NETWORK);
        assertThat(e.exitCode()).isEqualTo(ErrorCategory.NETWORK.exitCode());
        assertThat(e.getMessage()).isEqualTo("RPC endpoint http://127.0.0.1:1 is unreachable");
        assertThat(e.getCause()).isSameAs(cause);
        assertThat(HyphaException.input("bad").category()).isEqualTo(ErrorCategory.INPUT);
    }
}
