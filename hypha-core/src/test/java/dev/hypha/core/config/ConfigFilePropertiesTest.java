package dev.hypha.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Config files written in every TOML shape load to the same values; malformed ones fail only with a ConfigException. */
class ConfigFilePropertiesTest {
    static final String GOOD = """
            account = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
            [rpc]
            url = "http://127.0.0.1:9545"
            [devnet]
            port = 9545
            state-interval-seconds = 2
            [metrics]
            enabled = false
            """;

    @Property(tries = 20)
    void integersRoundTripInTableOrDottedForm(@ForAll @IntRange(min = 1, max = 65535) int port, @ForAll boolean dotted)
            throws Exception {
        Path dir = Files.createTempDirectory("config-property");
        try {
            Path file = dir.resolve("config.toml");
            Files.writeString(file, dotted ? "devnet.port = " + port + "\n" : "[devnet]\nport = " + port + "\n");
            HyphaConfig config = HyphaConfig.load(Optional.of(file), Map.of(), Map.of(), dir);
            assertThat(config.get(Settings.DEVNET_PORT)).isEqualTo(port);
            assertThat(config.value(Settings.DEVNET_PORT).source()).isEqualTo(ConfigSource.FILE);
        } finally {
            deleteTree(dir);
        }
    }

    @Property(tries = 150)
    void mutatedFilesParseOrFailWithAConfigException(@ForAll("mutatedConfig") String text) {
        Path file = Path.of("/etc/hypha/config.toml");
        try {
            Map<Setting<?>, String> values = TomlSettings.parse(file, text);
            for (var entry : values.entrySet()) entry.getKey().parse(entry.getValue(), "config file " + file);
        } catch (ConfigException expected) {
            assertThat(expected.getMessage()).contains(file.toString());
        }
    }

    @Provide
    Arbitrary<String> mutatedConfig() {
        Arbitrary<String> replaced = Arbitraries.integers().between(0, GOOD.length() - 1).flatMap(pos ->
                Arbitraries.of("\"", "[", "]", "=", "\n", "'", "#", ".", "-", "0x", "1.5", "true", "[[a]]", "{}", "\\u0000", "é", "999999999999999999999")
                        .map(s -> GOOD.substring(0, pos) + s + GOOD.substring(pos + 1)));
        Arbitrary<String> truncated = Arbitraries.integers().between(0, GOOD.length()).map(n -> GOOD.substring(0, n));
        return Arbitraries.oneOf(replaced, truncated);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
