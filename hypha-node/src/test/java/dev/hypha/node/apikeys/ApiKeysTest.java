package dev.hypha.node.apikeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.errors.HyphaException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ApiKeys} over a real SQLite file. */
class ApiKeysTest {
    @TempDir
    Path home;

    @Test
    void aCreatedKeyIsAcceptedUntilRevokedAndSurvivesReopening() {
        Path file = ApiKeys.file(home);
        ApiKeys.Created laptop;
        try (ApiKeys keys = ApiKeys.open(file)) {
            assertThat(keys.anyActive()).isFalse();
            laptop = keys.create("laptop");
            assertThat(laptop.key()).startsWith(ApiKeys.PREFIX);
            // 256 random bits in unpadded base64url
            assertThat(Base64.getUrlDecoder().decode(laptop.key().substring(ApiKeys.PREFIX.length()))).hasSize(32);
            assertThat(keys.accepts(laptop.key())).isTrue();
            assertThat(keys.accepts(laptop.key() + "x")).isFalse();
            assertThat(keys.accepts("")).isFalse();
        }
        try (ApiKeys keys = ApiKeys.open(file)) {
            assertThat(keys.accepts(laptop.key())).isTrue();
            ApiKeys.Created ci = keys.create("ci-runner");
            assertThat(ci.key()).isNotEqualTo(laptop.key());
            ApiKeys.Info revoked = keys.revoke("laptop");
            assertThat(revoked.active()).isFalse();
            assertThat(keys.accepts(laptop.key())).isFalse();
            assertThat(keys.accepts(ci.key())).isTrue();
            assertThat(keys.anyActive()).isTrue();
            assertThat(keys.list()).extracting(ApiKeys.Info::name, ApiKeys.Info::active)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("ci-runner", true),
                            org.assertj.core.groups.Tuple.tuple("laptop", false));
            // revoking again keeps the first revocation time
            assertThat(keys.revoke("laptop").revoked()).isEqualTo(revoked.revoked());
        }
    }

    @Test
    void aRevocationByAnotherProcessIsSeenByAnOpenStore() {
        Path file = ApiKeys.file(home);
        try (ApiKeys gateway = ApiKeys.open(file); ApiKeys cli = ApiKeys.open(file)) {
            ApiKeys.Created k = cli.create("phone");
            assertThat(gateway.accepts(k.key())).isTrue();
            cli.revoke("phone");
            assertThat(gateway.accepts(k.key())).isFalse();
        }
    }

    @Test
    void onlyHashesAreStoredInAnOwnerOnlyFile() throws Exception {
        Path file = ApiKeys.file(home);
        String key;
        try (ApiKeys keys = ApiKeys.open(file)) {
            key = keys.create("laptop").key();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String raw = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        assertThat(raw).doesNotContain(key).doesNotContain(key.substring(ApiKeys.PREFIX.length()));
        byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        assertThat(HexFormat.of().formatHex(Files.readAllBytes(file))).contains(HexFormat.of().formatHex(hash));
    }

    @Test
    void namesAreCheckedAndNotReused() {
        try (ApiKeys keys = ApiKeys.open(ApiKeys.file(home))) {
            keys.create("laptop");
            assertThatThrownBy(() -> keys.create("laptop")).isInstanceOf(HyphaException.class)
                    .hasMessageContaining("'laptop' exists already");
            keys.revoke("laptop");
            assertThatThrownBy(() -> keys.create("laptop")).hasMessageContaining("exists already");
            assertThatThrownBy(() -> keys.create("bad name")).hasMessageContaining("'bad name' is not usable");
            assertThatThrownBy(() -> keys.create("")).hasMessageContaining("is not usable");
            assertThatThrownBy(() -> keys.create("x".repeat(65))).hasMessageContaining("is not usable");
            assertThatThrownBy(() -> keys.create("evil\u001b[2J")).hasMessageContaining("\\x1b");
            assertThatThrownBy(() -> keys.revoke("nobody")).hasMessageContaining("no API key is named 'nobody'");
            assertThat(keys.list()).hasSize(1);
        }
    }

    @Test
    void theKeyNeverAppearsInTheCreatedRecordsText() {
        try (ApiKeys keys = ApiKeys.open(ApiKeys.file(home))) {
            ApiKeys.Created c = keys.create("laptop");
            assertThat(c.toString()).doesNotContain(c.key());
        }
    }
}
