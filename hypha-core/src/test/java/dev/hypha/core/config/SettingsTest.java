package dev.hypha.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.crypto.Address;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @TempDir
    Path userHome;

    @Test
    void environmentVariableNamesFollowTheKey() {
        assertThat(Settings.RPC_URL.environmentVariable()).isEqualTo("HYPHA_RPC_URL");
        assertThat(Settings.DEVNET_STATE_INTERVAL.environmentVariable()).isEqualTo("HYPHA_DEVNET_STATE_INTERVAL_SECONDS");
        assertThat(Settings.HOME.environmentVariable()).isEqualTo("HYPHA_HOME");
    }

    @Test
    void keysAreUniqueAndSorted() {
        assertThat(Settings.ALL).extracting(Setting::key).doesNotHaveDuplicates().isSorted();
    }

    @Test
    void flagsAreParsedAndUnknownFlagsNamed() {
        HyphaConfig config = HyphaConfig.load(Optional.empty(), Map.of(),
                Map.of("account", "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", "api.listen", "[::1]:8080", "log.level", "DEBUG"), userHome);
        assertThat(config.get(Settings.ACCOUNT)).isEqualTo(Address.parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
        assertThat(config.get(Settings.API_LISTEN)).isEqualTo(new Settings.HostPort("::1", 8080));
        assertThat(config.get(Settings.API_LISTEN).toString()).isEqualTo("[::1]:8080");
        assertThat(config.get(Settings.LOG_LEVEL)).isEqualTo("debug");
        assertThatThrownBy(() -> HyphaConfig.load(Optional.empty(), Map.of(), Map.of("rpc.timeout", "5"), userHome))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown setting 'rpc.timeout'");
    }

    @Test
    void badValuesNameSourceKeyAndExpectation() {
        assertThatThrownBy(() -> HyphaConfig.load(Optional.empty(), Map.of(), Map.of("account", "0x12"), userHome))
                .hasMessage("flag --account: invalid value '0x12' for account (expected 0x + 40 hex digits)");
        assertThatThrownBy(() -> HyphaConfig.load(Optional.empty(), Map.of("HYPHA_RPC_URL", "localhost:8545"), Map.of(), userHome))
                .hasMessageContaining("HYPHA_RPC_URL").hasMessageContaining("http(s)://");
        assertThatThrownBy(() -> HyphaConfig.load(Optional.empty(), Map.of("HYPHA_CHAIN_ID", "-1"), Map.of(), userHome))
                .hasMessageContaining("a positive chain id");
        assertThatThrownBy(() -> HyphaConfig.load(Optional.empty(), Map.of("HYPHA_METRICS_ENABLED", "yes"), Map.of(), userHome))
                .hasMessageContaining("true or false");
        assertThatThrownBy(() -> HyphaConfig.load(Optional.empty(), Map.of(), Map.of("api.listen", "localhost"), userHome))
                .hasMessageContaining("host:port");
    }

    @Test
    void unrelatedHyphaVariablesAreIgnored() {
        HyphaConfig config = HyphaConfig.load(Optional.empty(), Map.of("HYPHA_JVM_FLAGS", "-Xmx1g", "HYPHA_ROOT", "/x"), Map.of(), userHome);
        assertThat(config.values()).allSatisfy(v -> assertThat(v.source()).isEqualTo(ConfigSource.DEFAULT));
    }

    @Test
    void unsetOptionalSettingNamesHowToSetIt() {
        HyphaConfig config = HyphaConfig.defaults(userHome);
        assertThatThrownBy(() -> config.get(Settings.CHAIN_ID))
                .isInstanceOf(ConfigException.class).hasMessageContaining("HYPHA_CHAIN_ID").hasMessageContaining("chain.id");
        assertThat(config.value(Settings.CHAIN_ID).display()).isEqualTo("chain.id = (unset)   (default)");
    }

    @Test
    void explicitMissingFileIsNamed() {
        Path missing = userHome.resolve("nope.toml");
        assertThatThrownBy(() -> HyphaConfig.load(Optional.of(missing), Map.of(), Map.of(), userHome))
                .isInstanceOf(ConfigException.class).hasMessage("config file " + missing + " does not exist");
    }
}
