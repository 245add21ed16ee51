package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.Test;

class LoggingTest {

    @Test
    void configuredLevelNamesAreCaseInsensitive() {
        assertThat(Logging.parse("DEBUG")).isEqualTo(Level.DEBUG);
        assertThat(Logging.parse(" warn ")).isEqualTo(Level.WARN);
        assertThat(Logging.parse("error")).isEqualTo(Level.ERROR);
    }

    @Test
    void anUnknownLevelNamesTheValueAndTheChoices() {
        assertThatThrownBy(() -> Logging.parse("loud"))
                .hasMessageContaining("'loud'").hasMessageContaining("trace, debug, info, warn, error");
    }
}
