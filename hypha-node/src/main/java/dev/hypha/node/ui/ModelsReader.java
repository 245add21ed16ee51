package dev.hypha.node.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.ml.store.ModelManifest;
import dev.hypha.ml.store.ModelStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The model store as the dashboard shows it: the stored models, and the pulls whose journals lie in the store's pull
 * folder (running, or left behind by an interrupted pull that the next pull of the same content resumes).
 */
final class ModelsReader {
    /** At most this many partial pulls are listed. */
    static final int MAX_PULLS = 64;
    /** A pull's leaves are 1 MiB each but the last (IPFS's unixfs-v1-2025 chunking). */
    private static final long LEAF = 1L << 20;
    /** The journal's header as {@code PullJournal} writes it: format 1, the root content id, the file size. */
    private static final Pattern HEADER = Pattern.compile("hypha-pull 1 ([a-z2-7]{1,128}) ([0-9]{1,19})");
    /** A journal is at most 64 MiB (the puller distrusts larger ones); counting its lines reads no more than that. */
    private static final long MAX_JOURNAL = 64L << 20;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ModelStore store;

    ModelsReader(ModelStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    ObjectNode json() {
        ObjectNode out = JSON.objectNode();
        ModelStore.Listing listing = store.list();
        ArrayNode models = out.putArray("models");
        for (ModelManifest m : listing.models()) {
            models.addObject().put("name", m.name().toString()).put("cid", m.cid().toString()).put("size", m.size())
                    .put("format", m.format()).put("architecture", m.summary().architecture())
                    .put("parameters", m.summary().parameterCount()).put("quantization", m.summary().quantization())
                    .put("contextLength", m.summary().contextLength()).put("created", m.created().toString())
                    .put("adapter", m.adapter().isPresent());
        }
        ArrayNode unreadable = out.putArray("unreadable");
        listing.unreadable().forEach(u -> unreadable.addObject().put("file", u.file().getFileName().toString())
                .put("problem", u.problem()));
        ArrayNode pulls = out.putArray("pulls");
        partialPulls().forEach(p -> pulls.addObject().put("cid", p.cid()).put("size", p.size())
                .put("completed", p.completed()));
        return out;
    }

    record PartialPull(String cid, long size, long completed) {}

    /** The journals in the pull folder, in name order; an unreadable or foreign file is skipped. */
    List<PartialPull> partialPulls() {
        Path folder = store.pullFolder();
        List<Path> journals = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(folder, "*.journal")) {
            for (Path p : dir) {
                journals.add(p);
            }
        } catch (IOException e) {
            return List.of();
        }
        journals.sort(null);
        List<PartialPull> out = new ArrayList<>();
        for (Path journal : journals.subList(0, Math.min(MAX_PULLS, journals.size()))) {
            read(journal).ifPresent(out::add);
        }
        return out;
    }

    /** The header's root and size, and the leaves recorded so far (one line each after the header). */
    private static java.util.Optional<PartialPull> read(Path journal) {
        try (InputStream in = Files.newInputStream(journal)) {
            byte[] buffer = new byte[64 * 1024];
            StringBuilder header = new StringBuilder();
            boolean inHeader = true;
            long lines = 0;
            long read = 0;
            int n;
            while ((n = in.read(buffer)) > 0 && read < MAX_JOURNAL) {
                read += n;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        if (inHeader) {
                            inHeader = false;
                        } else {
                            lines++;
                        }
                    } else if (inHeader) {
                        if (header.length() > 200) {
                            return java.util.Optional.empty();
                        }
                        header.append((char) (buffer[i] & 0xff));
                    }
                }
            }
            Matcher m = HEADER.matcher(new String(header.toString().getBytes(StandardCharsets.ISO_8859_1),
                    StandardCharsets.US_ASCII));
            if (inHeader || !m.matches()) {
                return java.util.Optional.empty();
            }
            long size = Long.parseLong(m.group(2));
            long completed = Math.min(size, lines * LEAF); // lines <= 64 Mi, so no overflow
            return java.util.Optional.of(new PartialPull(m.group(1), size, completed));
        } catch (IOException | NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }
}
