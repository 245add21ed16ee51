package dev.hypha.node.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.store.ModelStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pulls the Models page lists come from the journals in the store's pull folder; anything else is skipped. */
class ModelsReaderTest {
    private static final String ROOT = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
    private static final String LEAF = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";

    @TempDir
    Path home;

    private void journal(String name, String text) throws IOException {
        ModelStore store = new ModelStore(home, Clock.systemUTC());
        Files.createDirectories(store.pullFolder());
        Files.writeString(store.pullFolder().resolve(name), text, StandardCharsets.US_ASCII);
    }

    private ModelsReader reader() {
        return new ModelsReader(new ModelStore(home, Clock.systemUTC()));
    }

    @Test
    void aJournalCountsItsLeavesAgainstTheFileSize() throws IOException {
        long size = 5L * 1024 * 1024 + 17;
        journal(ROOT + ".journal", "hypha-pull 1 " + ROOT + " " + size + "\nleaf 0 " + LEAF + "\nleaf 3 " + LEAF
                + "\nleaf 1 " + LEAF + "\n");
        assertThat(reader().partialPulls()).containsExactly(new ModelsReader.PartialPull(ROOT, size, 3L << 20));
    }

    @Test
    void theLastShortLeafNeverCountsBeyondTheSize() throws IOException {
        journal(ROOT + ".journal", "hypha-pull 1 " + ROOT + " 1000\nleaf 0 " + LEAF + "\n");
        assertThat(reader().partialPulls()).containsExactly(new ModelsReader.PartialPull(ROOT, 1000, 1000));
    }

    @Test
    void foreignGarbledOrHeaderlessFilesAreSkipped() throws IOException {
        journal("a.journal", "not a journal\nleaf 0 " + LEAF + "\n");
        journal("b.journal", "hypha-pull 1 " + ROOT + " -5\n");
        journal("c.journal", "hypha-pull 1 " + ROOT + " 100"); // header never finished
        journal("d.journal", "hypha-pull 1 " + "x".repeat(300) + " 100\n");
        journal(ROOT + ".partial", "bytes");
        assertThat(reader().partialPulls()).isEmpty();
        assertThat(reader().json().get("pulls")).isEmpty();
    }

    @Test
    void anEmptyStoreListsNothing() {
        assertThat(reader().json().get("models")).isEmpty();
        assertThat(reader().partialPulls()).isEmpty();
    }
}
