package dev.hypha.node.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.errors.HyphaException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpendJournalTest {
    @TempDir
    Path dir;

    private static final String NONCE = "0x" + "ab".repeat(32);

    @Test
    void aPaymentStaysPendingUntilItsStepIsDone() {
        SpendJournal j = new SpendJournal(dir.resolve("j.jsonl"));
        j.intent(new SpendJournal.Intent(0, NONCE, "0x01", "1500", 99, Optional.empty()));
        j.booked(0, "0xtx");
        SpendJournal.State s = j.read();
        assertThat(s.pending().get(0).booked()).contains("0xtx");
        assertThat(s.pending().get(0).nonce()).isEqualTo(NONCE);
        assertThat(s.isDone(0)).isFalse();
        j.done(0, "ok");
        assertThat(j.read().pending()).isEmpty();
        assertThat(j.read().done()).containsEntry(0, "ok");
    }

    @Test
    void aTornLastLineIsIgnoredButATornMiddleLineIsAnError() throws Exception {
        Path f = dir.resolve("j.jsonl");
        SpendJournal j = new SpendJournal(f);
        j.intent(new SpendJournal.Intent(3, NONCE, "0x01", "1500", 99, Optional.empty()));
        Files.writeString(f, "{\"step\":3,\"event\":\"do", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        assertThat(j.read().pending()).containsKey(3);
        assertThat(j.read().isDone(3)).isFalse();
        Files.writeString(f, "\n{\"step\":4,\"event\":\"done\",\"status\":\"ok\"}\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        assertThatThrownBy(j::read).isInstanceOf(HyphaException.class).hasMessageContaining("line 2 is not JSON");
    }
}
