package dev.hypha.ml.train.data;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.train.store.ContentStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Text corpora in the content store, next to the image datasets of {@link DatasetStore}: each file is a blob, a
 * {@link TextDatasetManifest} names them, and the manifest's id is the dataset's id ({@code datasets/<name>} refers to
 * it). Files are outside input, so each is checked before anything is stored: a regular file (a FIFO would block), at
 * most {@link #MAX_FILE_BYTES}, not empty, strict UTF-8 (the first bad byte's offset is named), no NUL byte (binary),
 * no line over {@link #MAX_LINE_BYTES} bytes (its number is named), and at least one document.
 */
public final class TextDatasets {
    public static final long MAX_FILE_BYTES = 256L << 20;
    public static final long MAX_TOTAL_BYTES = 1L << 30;
    public static final int MAX_LINE_BYTES = 1 << 20;
    public static final int DEFAULT_TEST_EVERY = 20;

    private final ContentStore store;

    public TextDatasets(ContentStore store) {
        this.store = store;
    }

    /** A document of a loaded dataset: the file it came from and its text. */
    public record Document(String file, String text) {}

    /** A loaded dataset: documents of each split, in order. */
    public record Loaded(ContentId id, TextDatasetManifest manifest, List<Document> train, List<Document> test) {}

    public record Imported(ContentId id, TextDatasetManifest manifest) {}

    public Imported importFiles(String name, List<Path> files, TextDocuments documents, int testEvery) {
        if (!ContentStore.validName(name) || !name.matches("[a-z0-9][a-z0-9._-]{0,127}")) {
            throw HyphaException.input("dataset name '" + name + "' must be 1-128 lower-case letters, digits, '.', '_' or '-'");
        }
        if (files.isEmpty() || files.size() > TextDatasetManifest.MAX_FILES) {
            throw HyphaException.input("give 1 to " + TextDatasetManifest.MAX_FILES + " text files, got " + files.size());
        }
        if (testEvery < 2 || testEvery > 1_000_000) {
            throw HyphaException.input("--test-every must be from 2 to 1000000, got " + testEvery);
        }
        List<String> texts = new ArrayList<>();
        List<byte[]> raw = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        long total = 0;
        for (Path f : files) {
            String fileName = f.getFileName() == null ? "" : f.getFileName().toString();
            if (!seen.add(fileName)) {
                throw HyphaException.input("two files are named '" + fileName + "'; a dataset's files need distinct names");
            }
            byte[] bytes = readBounded(f);
            total += bytes.length;
            if (total > MAX_TOTAL_BYTES) {
                throw HyphaException.input("the files add up to more than " + MAX_TOTAL_BYTES + " bytes; import them as several datasets");
            }
            String text = decodeText(f.toString(), bytes);
            if (documents.split(text).isEmpty()) {
                throw HyphaException.input(f + " has no " + documents.label() + " documents (it is blank)");
            }
            texts.add(text);
            raw.add(bytes);
            names.add(fileName);
        }
        Splits s = split(names, texts, documents, testEvery);
        if (s.train.isEmpty()) {
            throw HyphaException.input("the files hold " + s.test.size() + " document(s), all in the test split (every "
                    + testEvery + "th document, starting with the first); give more text or a larger --test-every");
        }
        List<TextDatasetManifest.File> stored = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            byte[] bytes = raw.get(i);
            stored.add(new TextDatasetManifest.File(names.get(i), bytes.length, store.put(bytes)));
        }
        TextDatasetManifest manifest = new TextDatasetManifest(name, documents, testEvery, stored, counts(s.train), counts(s.test));
        ContentId id = store.put(manifest.encode());
        store.setRef(DatasetStore.REF_KIND, name, id);
        return new Imported(id, manifest);
    }

    /** Loads a text dataset, re-cutting its documents and checking the counts against the manifest. */
    public Loaded load(ContentId id) {
        TextDatasetManifest m = TextDatasetManifest.decode(id.toString(), store.get(id));
        List<String> names = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (TextDatasetManifest.File f : m.files()) {
            names.add(f.name());
            texts.add(decodeText(f.blob().toString(), store.get(f.blob())));
        }
        Splits s = split(names, texts, m.documents(), m.testEvery());
        if (!counts(s.train).equals(m.train()) || !counts(s.test).equals(m.test())) {
            throw new HyphaException(ErrorCategory.INPUT, "text dataset " + id + ": its files give train " + counts(s.train) + " and test "
                    + counts(s.test) + ", the manifest says " + m.train() + " and " + m.test());
        }
        return new Loaded(id, m, s.train, s.test);
    }

    private record Splits(List<Document> train, List<Document> test) {}

    private static Splits split(List<String> names, List<String> texts, TextDocuments documents, int testEvery) {
        List<Document> train = new ArrayList<>();
        List<Document> test = new ArrayList<>();
        long index = 0;
        for (int i = 0; i < texts.size(); i++) {
            for (String d : documents.split(texts.get(i))) {
                (index++ % testEvery == 0 ? test : train).add(new Document(names.get(i), d));
            }
        }
        return new Splits(train, test);
    }

    private static TextDatasetManifest.Counts counts(List<Document> docs) {
        long bytes = 0;
        for (Document d : docs) {
            bytes += d.text().getBytes(StandardCharsets.UTF_8).length;
        }
        return new TextDatasetManifest.Counts(docs.size(), bytes);
    }

    private static byte[] readBounded(Path f) {
        try {
            if (!Files.isRegularFile(f)) {
                if (Files.exists(f)) {
                    throw HyphaException.input(f + " is not a regular file (a folder, device or pipe)");
                }
                throw new NoSuchFileException(f.toString());
            }
            long size = Files.size(f);
            if (size > MAX_FILE_BYTES) {
                throw HyphaException.input(f + " is " + size + " bytes; a text file may be at most " + MAX_FILE_BYTES);
            }
            if (size == 0) {
                throw HyphaException.input(f + " is empty");
            }
            try (InputStream in = Files.newInputStream(f)) {
                byte[] bytes = in.readNBytes((int) MAX_FILE_BYTES + 1); // a file that grows while read is still bounded
                if (bytes.length > MAX_FILE_BYTES) {
                    throw HyphaException.input(f + " grew past " + MAX_FILE_BYTES + " bytes while it was read");
                }
                return bytes;
            }
        } catch (NoSuchFileException e) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "no such file: " + f, e);
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    /** Strict UTF-8 text without NUL bytes or over-long lines; errors name the source and the offset or line. */
    static String decodeText(String source, byte[] bytes) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw HyphaException.input(source + " has a NUL byte at offset " + i + ": it looks binary, not text");
            }
            if (bytes[i] == '\n') {
                line++;
                lineStart = i + 1;
            } else if (i - lineStart >= MAX_LINE_BYTES) {
                throw HyphaException.input(source + ": line " + line + " is longer than " + MAX_LINE_BYTES + " bytes");
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            throw HyphaException.input(source + " is not UTF-8 text: invalid byte 0x" + String.format("%02x", bytes[in.position()] & 0xff)
                    + " at offset " + in.position());
        }
        decoder.flush(out);
        return out.flip().toString();
    }
}
