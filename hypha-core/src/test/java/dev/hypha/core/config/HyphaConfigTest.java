package dev.hypha.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HyphaConfigTest {
    @TempDir
    Path userHome;

    @Test
    void defaultsApplyWithoutFileEnvironmentOrFlags() {
        HyphaConfig config = HyphaConfig.defaults(userHome);
        assertThat(config.get(Settings.HOME)).isEqualTo(userHome.resolve(".hypha"));
        assertThat(config.get(Settings.RPC_URL)).isEqualTo(URI.create("http://127.0.0.1:8545"));
        assertThat(config.find(Settings.CHAIN_ID)).isEmpty();
        assertThat(config.get(Settings.DEVNET_STATE_INTERVAL)).isEqualTo(5);
        assertThat(config.value(Settings.LOG_LEVEL).source()).isEqualTo(ConfigSource.DEFAULT);
    }

    @Test
    void flagBeatsEnvironmentBeatsFileBeatsDefault() throws Exception {
        Path file = userHome.resolve("hypha.toml");
        Files.writeString(file, """
                log.level = "debug"
                [rpc]
                url = "http://file.example:8545"
                [devnet]
                port = 9000
                state-interval-seconds = 9
                """);
        HyphaConfig config = HyphaConfig.load(Optional.of(file),
                Map.of("HYPHA_RPC_URL", "http://env.example:8545", "HYPHA_DEVNET_PORT", "9100"),
                Map.of("rpc.url", "http://flag.example:8545"), userHome);
        assertThat(config.value(Settings.RPC_URL).source()).isEqualTo(ConfigSource.FLAG);
        assertThat(config.get(Settings.RPC_URL)).isEqualTo(URI.create("http://flag.example:8545"));
        assertThat(config.value(Settings.DEVNET_PORT).source()).isEqualTo(ConfigSource.ENV);
        assertThat(config.get(Settings.DEVNET_PORT)).isEqualTo(9100);
        assertThat(config.get(Settings.DEVNET_STATE_INTERVAL)).isEqualTo(9);
        assertThat(config.get(Settings.LOG_LEVEL)).isEqualTo("debug");
        assertThat(config.value(Settings.DEVNET_STATE_INTERVAL).source()).isEqualTo(ConfigSource.FILE);
        assertThat(config.show()).contains("rpc.url = http://flag.example:8545   (flag)",
                "devnet.port = 9100   (env)", "devnet.state-interval-seconds = 9   (file)", "metrics.enabled = true   (default)");
    }

    @Test
    void unknownKeyNamesFileKeyAndLine() throws Exception {
        Path file = userHome.resolve("hypha.toml");
        Files.writeString(file, "[rpc]\nurl = \"http://x:1\"\ntimeout = 5\n");
        assertThatThrownBy(() -> HyphaConfig.load(Optional.of(file), Map.of(), Map.of(), userHome))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("line 3").hasMessageContaining("unknown key 'rpc.timeout'");
    }

    @Test
    void wrongTypeNamesTheExpectation() throws Exception {
        Path file = userHome.resolve("hypha.toml");
        Files.writeString(file, "metrics.enabled = \"yes\"\n");
        assertThatThrownBy(() -> HyphaConfig.load(Optional.of(file), Map.of(), Map.of(), userHome))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("line 1").hasMessageContaining("metrics.enabled").hasMessageContaining("true or false");
    }

    @Test
    void badTomlSyntaxNamesTheLine() throws Exception {
        Path file = userHome.resolve("hypha.toml");
        Files.writeString(file, "[rpc]\nurl = \"unterminated\n");
        assertThatThrownBy(() -> HyphaConfig.load(Optional.of(file), Map.of(), Map.of(), userHome))
                .isInstanceOf(ConfigException.class).hasMessageContaining(file.toString()).hasMessageContaining("line 2");
    }

    @Test
    void badEnvironmentValueNamesTheVariable() {
        assertThatThrownBy(() -> HyphaConfig.load(Optional.empty(), Map.of("HYPHA_DEVNET_PORT", "70000"), Map.of(), userHome))
                .isInstanceOf(ConfigException.class)
                .hasMessage("environment variable HYPHA_DEVNET_PORT: invalid value '70000' for devnet.port (expected a port number 1-65535)");
    }

    @Test
    void homeConfigFileIsFoundThroughHyphaHome() throws Exception {
        Path home = userHome.resolve("custom-home");
        Files.createDirectories(home);
        Files.writeString(home.resolve("config.toml"), "chain.id = 31337\n");
        HyphaConfig config = HyphaConfig.load(Optional.empty(), Map.of("HYPHA_HOME", home.toString()), Map.of(), userHome);
        assertThat(config.get(Settings.CHAIN_ID)).isEqualTo(31337L);
        assertThat(config.file()).contains(home.resolve("config.toml"));
    }
}
