package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.ChainErrors;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.net.ConnectException;
import java.nio.file.AccessDeniedException;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** How failures become one line and an exit code. */
class ErrorHandlerTest {

    private static final Map<ErrorCategory, Integer> DOCUMENTED = Map.of(
            ErrorCategory.USAGE, 2, ErrorCategory.INPUT, 3, ErrorCategory.CONFIG, 3, ErrorCategory.NOT_FOUND, 3,
            ErrorCategory.AUTH, 4, ErrorCategory.NETWORK, 5, ErrorCategory.CHAIN, 6, ErrorCategory.IO, 7,
            ErrorCategory.INTERNAL, 1);

    @ParameterizedTest
    @EnumSource(ErrorCategory.class)
    void everyCoreCategoryHasItsDocumentedExitCode(ErrorCategory category) {
        ErrorHandler.Failure failure = ErrorHandler.classify(new HyphaException(category, "what went wrong"));

        assertThat(failure.exitCode()).isEqualTo(DOCUMENTED.get(category));
        assertThat(failure.message()).isEqualTo("what went wrong");
    }

    @Test
    void chainCategoriesMapToTheSameCodes() {
        assertThat(ErrorHandler.classify(ChainErrors.input("x")).exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(ErrorHandler.classify(ChainErrors.network("x", null)).exitCode()).isEqualTo(ExitCodes.NETWORK);
        assertThat(ErrorHandler.classify(ChainErrors.chain("x")).exitCode()).isEqualTo(ExitCodes.CHAIN);
        assertThat(ErrorHandler.classify(ChainErrors.internal("x", null)).exitCode()).isEqualTo(ExitCodes.INTERNAL);
    }

    @Test
    void aKnownCauseInsideAWrapperDecides() {
        RuntimeException wrapped = new RuntimeException("wrapper",
                new IllegalStateException("middle", HyphaException.input("bad address")));

        assertThat(ErrorHandler.classify(wrapped)).isEqualTo(new ErrorHandler.Failure(ExitCodes.INPUT, "bad address"));
        assertThat(ErrorHandler.classify(new RuntimeException(new ConnectException("refused"))).exitCode())
                .isEqualTo(ExitCodes.NETWORK);
        assertThat(ErrorHandler.classify(new java.io.UncheckedIOException(new AccessDeniedException("/root/x"))))
                .isEqualTo(new ErrorHandler.Failure(ExitCodes.IO, "permission denied: /root/x"));
    }

    @Test
    void anythingElseIsAnInternalErrorNamingTheExceptionOnOneLine() {
        ErrorHandler.Failure failure = ErrorHandler.classify(new IllegalStateException("first\nsecond"));

        assertThat(failure.exitCode()).isEqualTo(ExitCodes.INTERNAL);
        assertThat(failure.message()).isEqualTo("internal error: IllegalStateException: first; second");
    }

    @Property
    void oneLineNeverContainsALineBreak(@ForAll String message) {
        assertThat(ErrorHandler.oneLine(message)).doesNotContain("\n", "\r", "\u2028", "\u2029", "\u0085");
    }

    @Test
    void textFromOutsideInAnErrorIsShownNotInterpreted() {
        // A contract's revert string or an RPC node's error message is chosen by whoever runs them.
        ErrorHandler.Failure failure = ErrorHandler.classify(
                ChainErrors.chain("Staking.stake reverted: Error(\u001b]0;ok\u0007\u001b[2Kall is fine)"));
        assertThat(failure.message()).isEqualTo("Staking.stake reverted: Error(\\x1b]0;ok\\x07\\x1b[2Kall is fine)");
    }
}
