package dev.hypha.cli.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code dev.hypha.cli} lists the model commands as subcommands, so {@code dev.hypha.cli.model} must not use
 * {@code dev.hypha.cli} (it reaches the root command through {@link GlobalOptions}): the packages form no cycle.
 */
class PackageDirectionTest {
    private static final Pattern ROOT_PACKAGE_USE = Pattern.compile("\\bdev\\.hypha\\.cli\\.(?!model\\b)[A-Za-z]");

    @Test
    void theModelPackageDoesNotUseTheRootCommandPackage() throws IOException {
        Path sources = Path.of(System.getProperty("hypha.repo.root", "."), "hypha-cli/src/main/java/dev/hypha/cli/model");
        List<String> offenders;
        try (Stream<Path> files = Files.list(sources)) {
            offenders = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> {
                        try {
                            return ROOT_PACKAGE_USE.matcher(Files.readString(f)).find();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .map(f -> f.getFileName().toString())
                    .sorted()
                    .toList();
        }
        assertThat(sources.resolve("RunCommand.java")).exists();
        assertThat(offenders).as("files of dev.hypha.cli.model that use dev.hypha.cli").isEmpty();
    }
}
