package dev.hypha.cli.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.core.cid.ContentIds;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FormatsTest {

    @Test
    void sizesUseBinaryUnitsWithOneDecimal() {
        assertThat(Formats.bytes(0)).isEqualTo("0 B");
        assertThat(Formats.bytes(1023)).isEqualTo("1023 B");
        assertThat(Formats.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(Formats.bytes(848L << 20)).isEqualTo("848.0 MiB");
        assertThat(Formats.bytes(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
    }

    @Test
    void parameterCountsReadLikeModelCards() {
        assertThat(Formats.count(950)).isEqualTo("950");
        assertThat(Formats.count(86_272)).isEqualTo("86.3K");
        assertThat(Formats.count(836_000_000)).isEqualTo("836.0M");
        assertThat(Formats.count(7_241_732_096L)).isEqualTo("7.2B");
    }

    @Test
    void shortIdsAreTheDistinctiveEnd() {
        var cid = ContentIds.of("x".getBytes(StandardCharsets.UTF_8));
        assertThat(Formats.shortId(cid)).hasSize(12).isEqualTo(cid.toString().substring(cid.toString().length() - 12));
        assertThat(Formats.date(Instant.parse("2025-06-01T12:34:56Z"))).isEqualTo("2025-06-01 12:34 UTC");
    }

    @Test
    void tablesAlignColumns() {
        assertThat(Formats.table(List.of(new String[] {"NAME", "SIZE"}, new String[] {"a-long-name", "1 B"})))
                .containsExactly("NAME          SIZE", "a-long-name   1 B");
        assertThat(Formats.table(List.of())).isEmpty();
    }

    @Test
    void progressRedrawsOnlyWhenThePercentChanges() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), "importing m.gguf");
        for (long done = 0; done <= 1000; done += 1) {
            bar.update(done, 1000);
        }
        bar.finish();
        assertThat(text.toString().chars().filter(c -> c == '\r').count()).isEqualTo(101);
        assertThat(text.toString()).endsWith("] 100% 1000 B" + System.lineSeparator());
        StringWriter none = new StringWriter();
        new ProgressBar(new PrintWriter(none), "x").finish();
        assertThat(none.toString()).isEmpty();
    }

    @Test
    void cellsFromAModelFileReachTheTerminalWithoutControlCharacters() {
        List<String[]> rows = List.<String[]>of(new String[] {"general.name", "tiny\u001b]0;owned\u0007\u001b[2J"});
        List<String> lines = Formats.table(rows);
        assertThat(lines).containsExactly("general.name   tiny\\x1b]0;owned\\x07\\x1b[2J");
    }
}
