package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hypha apikey create|list|revoke} in-process over a real keys file. */
class ApiKeyCommandTest {
    @TempDir
    Path home;

    @Test
    void createShowsTheKeyOnceListShowsNamesAndRevokeMarksIt() throws Exception {
        CliRun empty = CliRun.run("--home", home.toString(), "apikey", "list");
        assertThat(empty.exitCode()).isZero();
        assertThat(empty.out()).startsWith("No API keys yet").contains("hypha apikey create NAME");

        CliRun created = CliRun.run("--home", home.toString(), "apikey", "create", "laptop");
        assertThat(created.exitCode()).as(created.err()).isZero();
        String key = created.out().strip();
        assertThat(key).matches("hypha_[A-Za-z0-9_-]{43}");
        assertThat(created.err()).contains("Copy it now", "Authorization: Bearer");

        CliRun listed = CliRun.run("--home", home.toString(), "apikey", "list");
        assertThat(listed.out().lines().toList()).hasSize(2);
        assertThat(listed.out()).contains("NAME", "laptop", "active").doesNotContain(key);
        assertThat(Files.readString(home.resolve("gateway/apikeys.sqlite"), java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain(key);

        CliRun revoked = CliRun.run("--home", home.toString(), "apikey", "revoke", "laptop");
        assertThat(revoked.exitCode()).isZero();
        assertThat(revoked.out()).contains("'laptop' is revoked");
        assertThat(CliRun.run("--home", home.toString(), "apikey", "list").out()).contains("revoked 20");
    }

    @Test
    void mistakesAreNamed() {
        CliRun.run("--home", home.toString(), "apikey", "create", "laptop");
        CliRun twice = CliRun.run("--home", home.toString(), "apikey", "create", "laptop");
        assertThat(twice.exitCode()).isEqualTo(3);
        assertThat(twice.errorLine()).contains("'laptop' exists already");
        CliRun badName = CliRun.run("--home", home.toString(), "apikey", "create", "my key");
        assertThat(badName.errorLine()).contains("'my key' is not usable");
        CliRun unknown = CliRun.run("--home", home.toString(), "apikey", "revoke", "phone");
        assertThat(unknown.exitCode()).isEqualTo(3);
        assertThat(unknown.errorLine()).contains("no API key is named 'phone'");
    }
}
