package dev.hypha.ml.testmodel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Debian's fortunes corpus ({@code /usr/share/games/fortunes}), the text our test vocabularies are trained on:
 * every plain file in the directory (not the {@code .dat} indexes, not the {@code .u8} links), in file-name order,
 * read as UTF-8 (malformed bytes become U+FFFD), with the {@code %} separator lines removed.
 */
public final class FortunesCorpus {
    /** Default location; override with the system property {@code hypha.fortunes.dir}. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/games/fortunes");

    private static volatile String cached;

    private FortunesCorpus() {}

    /** The directory in use. */
    public static Path directory() {
        String override = System.getProperty("hypha.fortunes.dir");
        return override != null && !override.isBlank() ? Path.of(override) : DEFAULT_DIR;
    }

    /**
     * The whole corpus as one string (cached after the first call).
     *
     * @throws IllegalStateException when the corpus is missing, saying how to install it
     */
    public static String text() {
        String t = cached;
        if (t == null) {
            synchronized (FortunesCorpus.class) {
                t = cached;
                if (t == null) {
                    t = load(directory());
                    cached = t;
                }
            }
        }
        return t;
    }

    /** The corpus files in the order they are read. */
    public static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("fortunes corpus not found at " + dir
                    + ": install it with 'apt-get install fortunes' (or set -Dhypha.fortunes.dir=DIR)");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(Files::isRegularFile)
                    .filter(p -> !Files.isSymbolicLink(p))
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return !n.endsWith(".dat") && !n.endsWith(".u8") && !n.startsWith(".");
                    })
                    .sorted()
                    .toList();
            if (files.isEmpty()) {
                throw new IllegalStateException("fortunes corpus at " + dir
                        + " has no text files: install it with 'apt-get install fortunes'");
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list fortunes corpus at " + dir, e);
        }
    }

    static String load(Path dir) {
        StringBuilder sb = new StringBuilder(3 << 20);
        for (Path f : files(dir)) {
            for (String line : decode(f).split("\n", -1)) {
                if (!line.equals("%")) {
                    sb.append(line).append('\n');
                }
            }
        }
        return sb.toString();
    }

    /**
     * The corpus as separate fortunes (the text between {@code %} lines, each ending in a newline), files in
     * {@link #files} order; blank fortunes are skipped. Language-model training holds out whole fortunes.
     */
    public static List<String> fortunes(Path dir) {
        return fortunes(files(dir));
    }

    /** The fortunes of the given corpus files, in the given order. */
    public static List<String> fortunes(List<Path> files) {
        List<String> out = new java.util.ArrayList<>();
        for (Path f : files) {
            StringBuilder current = new StringBuilder();
            for (String line : decode(f).split("\n", -1)) {
                if (line.equals("%")) {
                    addFortune(out, current);
                } else {
                    current.append(line).append('\n');
                }
            }
            addFortune(out, current);
        }
        return out;
    }

    private static void addFortune(List<String> out, StringBuilder current) {
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip() + "\n");
        }
        current.setLength(0);
    }

    private static String decode(Path f) {
        try {
            byte[] bytes = Files.readAllBytes(f);
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fortunes file " + f, e);
        }
    }
}
