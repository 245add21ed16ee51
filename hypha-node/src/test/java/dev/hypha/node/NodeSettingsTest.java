package dev.hypha.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeSettingsTest {

    @Test
    void parsesHostAndPort() {
        assertThat(NodeSettings.parseListen("127.0.0.1:11434", true))
                .isEqualTo(new NodeSettings("127.0.0.1", 11434, true));
        assertThat(NodeSettings.parseListen("[::1]:8080", false)).isEqualTo(new NodeSettings("::1", 8080, false));
        assertThat(NodeSettings.parseListen("localhost:0", true).port()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", "11434", "127.0.0.1", "127.0.0.1:", ":11434", "host:port", "host:-1",
        "host:65536", "host:123456", "host: 80", "host:+80"})
    void rejectsMalformedListenValuesNamingTheValue(String listen) {
        assertThatThrownBy(() -> NodeSettings.parseListen(listen, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + listen + "'")
                .hasMessageContaining("127.0.0.1:11434");
    }

    @Property
    void everyValidPortRoundTrips(@ForAll @IntRange(min = 0, max = 65_535) int port) {
        assertThat(NodeSettings.parseListen("10.0.0.1:" + port, true).port()).isEqualTo(port);
    }

    @Property
    void anyStringEitherParsesOrFailsWithIllegalArgument(@ForAll String listen) {
        try {
            NodeSettings settings = NodeSettings.parseListen(listen, true);
            assertThat(settings.port()).isBetween(0, 65_535);
            assertThat(settings.host()).isNotBlank();
        } catch (IllegalArgumentException expected) {
            assertThat(expected).hasMessageContaining("api.listen");
        }
    }
}
