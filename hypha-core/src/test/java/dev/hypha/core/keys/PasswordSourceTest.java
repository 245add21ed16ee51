package dev.hypha.core.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordSourceTest {
    @TempDir
    Path dir;

    @Test
    void fileGivesItsFirstLineWithoutTheLineEnding() throws Exception {
        Path unix = Files.writeString(dir.resolve("unix"), "s3cret pass\nsecond line\n");
        Path windows = Files.writeString(dir.resolve("windows"), "s3cret pass\r\n");
        Path noNewline = Files.writeString(dir.resolve("bare"), "s3cret pass");
        for (Path file : new Path[] {unix, windows, noNewline}) {
            assertThat(PasswordSource.file(file).read()).containsExactly("s3cret pass".toCharArray());
        }
    }

    @Test
    void missingOrEmptyFileIsNamed() throws Exception {
        assertThatThrownBy(() -> PasswordSource.file(dir.resolve("nope")).read())
                .isInstanceOf(HyphaException.class).hasMessageContaining("password file").hasMessageContaining("does not exist")
                .satisfies(e -> assertThat(((HyphaException) e).category()).isEqualTo(ErrorCategory.NOT_FOUND));
        Path empty = Files.writeString(dir.resolve("empty"), "");
        Path blankLine = Files.writeString(dir.resolve("blank"), "\nhidden on line two\n");
        assertThatThrownBy(() -> PasswordSource.file(empty).read()).hasMessageContaining("is empty");
        assertThatThrownBy(() -> PasswordSource.file(blankLine).read()).hasMessageContaining("is empty");
    }

    @Test
    void environmentVariableIsReadAndItsAbsenceNamed() {
        assertThat(PasswordSource.environment("HYPHA_PASSWORD", Map.of("HYPHA_PASSWORD", "from env")).read())
                .containsExactly("from env".toCharArray());
        assertThatThrownBy(() -> PasswordSource.environment("HYPHA_PASSWORD", Map.of()).read())
                .hasMessage("environment variable HYPHA_PASSWORD is not set (it should hold the password)");
        assertThatThrownBy(() -> PasswordSource.environment("HYPHA_PASSWORD", Map.of("HYPHA_PASSWORD", "")).read())
                .hasMessageContaining("HYPHA_PASSWORD is empty");
    }

    @Test
    void descriptionsNeverShowThePassword() {
        PasswordSource env = PasswordSource.environment("HYPHA_PASSWORD", Map.of("HYPHA_PASSWORD", "hunter2"));
        assertThat(env.toString()).doesNotContain("hunter2").contains("HYPHA_PASSWORD");
    }

    @Test
    void promptWithoutATerminalPointsToTheAlternatives() {
        // surefire runs tests without a console; a person at a terminal gets the prompt instead
        if (System.console() != null && System.console().isTerminal()) return;
        assertThatThrownBy(() -> PasswordSource.prompt("Password: ", false).read())
                .hasMessageContaining("--password-file").hasMessageContaining("--password-env");
    }
}
