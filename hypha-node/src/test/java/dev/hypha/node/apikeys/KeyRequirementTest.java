package dev.hypha.node.apikeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.errors.HyphaException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link KeyRequirement}: keys beyond loopback, or when forced; never a check with no active key. */
class KeyRequirementTest {
    @TempDir
    Path home;

    @Test
    void keysAreRequiredBeyondLoopbackOrWhenForced() {
        assertThat(KeyRequirement.applies("127.0.0.1", false)).isFalse();
        assertThat(KeyRequirement.applies("::1", false)).isFalse();
        assertThat(KeyRequirement.applies("localhost", false)).isFalse();
        assertThat(KeyRequirement.applies("0.0.0.0", false)).isTrue();
        assertThat(KeyRequirement.applies("192.0.2.7", false)).isTrue();
        assertThat(KeyRequirement.applies("127.0.0.1", true)).isTrue();
    }

    @Test
    void noActiveKeyRefusesToStartNamingTheCommand() {
        assertThatThrownBy(() -> KeyRequirement.openActive(home, "0.0.0.0:11434")).isInstanceOf(HyphaException.class)
                .hasMessageContaining("0.0.0.0:11434").hasMessageContaining("hypha apikey create NAME");
        try (ApiKeys keys = ApiKeys.open(ApiKeys.file(home))) {
            keys.create("only");
            keys.revoke("only");
        }
        assertThatThrownBy(() -> KeyRequirement.openActive(home, "0.0.0.0:11434")).hasMessageContaining("no active key");
        String key;
        try (ApiKeys keys = ApiKeys.open(ApiKeys.file(home))) {
            key = keys.create("laptop").key();
        }
        try (ApiKeys keys = KeyRequirement.openActive(home, "0.0.0.0:11434")) {
            assertThat(keys.accepts(key)).isTrue();
        }
    }
}
