package dev.hypha.core.errors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ErrorCategoryTest {
    @Test
    void everyCategoryHasItsOwnNonZeroExitCode() {
        int[] codes = Arrays.stream(ErrorCategory.values()).mapToInt(ErrorCategory::exitCode).toArray();
        assertThat(codes).doesNotContain(0).doesNotHaveDuplicates();
        assertThat(ErrorCategory.USAGE.exitCode()).isEqualTo(2); // the convention picocli and shells share
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
