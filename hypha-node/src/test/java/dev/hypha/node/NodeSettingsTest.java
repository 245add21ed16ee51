package dev.hypha.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class NodeSettingsTest {

    @Test
    void acceptsHostAndAnyPortIncludingZero() {
        assertThat(new NodeSettings("127.0.0.1", 0, true).port()).isZero();
        assertThat(new NodeSettings("::1", 65_535, false).host()).isEqualTo("::1");
    }

    @Test
    void rejectsBlankHost() {
        assertThatThrownBy(() -> new NodeSettings(" ", 80, true)).hasMessageContaining("host");
    }

    @Property
    void portsOutsideTheTcpRangeAreRejectedNamingThePort(@ForAll int port) {
        if (port >= 0 && port <= 65_535) {
            assertThat(new NodeSettings("localhost", port, true).port()).isEqualTo(port);
        } else {
            assertThatThrownBy(() -> new NodeSettings("localhost", port, true))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Integer.toString(port));
        }
    }
}
