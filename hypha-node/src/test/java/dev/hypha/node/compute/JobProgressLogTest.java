package dev.hypha.node.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The progress lines a job's log carries, read back for the dashboard, and the book as a reader beside it sees it. */
class JobProgressLogTest {
    @TempDir
    Path home;

    @Test
    void aProgressLineReadsBackAsTheReportThatWroteIt() {
        JobProgress p = new JobProgress(12, 200, 1.09314, 5120.34);
        assertThat(p.logLine()).isEqualTo("step 12/200 loss 1.0931 5120.3 samples/s");
        assertThat(JobProgress.parseLogLine(p.logLine())).contains(new JobProgress(12, 200, 1.0931, 5120.3));
        JobProgress diverged = new JobProgress(3, 4, Double.NaN, 0);
        assertThat(JobProgress.parseLogLine(diverged.logLine())).hasValueSatisfying(d -> assertThat(d.loss()).isNaN());
        assertThat(JobProgress.parseLogLine(new JobProgress(3, 4, Double.POSITIVE_INFINITY, 0).logLine()))
                .hasValueSatisfying(d -> assertThat(d.loss()).isInfinite());
    }

    @Test
    void otherLogLinesAndHostileOnesAreNotProgress() {
        for (String line : List.of("checkpoint at step 10: bafkrei", "done: 30 steps, last loss 0.1000, model x",
                "step 1/2 loss 0.1 1.0 samples/s trailing", "step -1/2 loss 0.1000 1.0 samples/s",
                "step 99999999999999999999/2 loss 0.1000 1.0 samples/s", "step 1/2 loss 0.1000 " + "9".repeat(190) + ".0 samples/s",
                "")) {
            assertThat(JobProgress.parseLogLine(line)).as(line).isEmpty();
        }
        assertThat(JobProgress.parseLogLine(null)).isEmpty();
    }

    @Test
    void peekReadsTheNewestRecordsByOrderIdWithoutCreatingABook() {
        assertThat(JobBook.peek(home, 4).all()).isEmpty();
        assertThat(home.resolve("compute")).doesNotExist();
        JobBook book = JobBook.open(home);
        for (int id : new int[] {1, 2, 9, 10, 11}) {
            book.put(JobRecord.bid(BigInteger.valueOf(id)));
        }
        book.log(BigInteger.TEN, new JobProgress(4, 8, 0.5, 10).logLine());
        JobBook peek = JobBook.peek(home, 3);
        assertThat(peek.all()).extracting(JobRecord::orderId).as("numeric order, not file-name order")
                .containsExactly(BigInteger.valueOf(9), BigInteger.TEN, BigInteger.valueOf(11));
        assertThat(peek.logLines(BigInteger.TEN, 0, 10)).containsExactly("step 4/8 loss 0.5000 10.0 samples/s");
        assertThat(peek.logSize(BigInteger.TEN)).isPositive();
        assertThat(peek.logSize(BigInteger.ONE)).isZero();
        assertThatThrownBy(() -> JobBook.peek(home, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void updateChangesTheRecordHeldNowNotAnOlderCopy() throws Exception {
        JobBook book = JobBook.open(home);
        BigInteger id = BigInteger.valueOf(5);
        JobRecord polled = JobRecord.bid(id); // what a poll read before the tenant's hand-off
        book.put(polled);
        book.put(polled.withState(JobState.LEASED, "").withSources(List.of("http://127.0.0.1:1"))); // the hand-off
        book.update(id, held -> held.state() == JobState.BID ? held.withState(JobState.LEASED, "") : held);
        assertThat(book.get(id).orElseThrow().sources()).containsExactly("http://127.0.0.1:1");
        assertThat(JobBook.open(home).get(id).orElseThrow().sources()).as("on disk too").containsExactly("http://127.0.0.1:1");
        assertThat(Files.list(home.resolve("compute").resolve("jobs")).count()).isEqualTo(1);
        assertThatThrownBy(() -> book.update(BigInteger.TWO, r -> r)).isInstanceOf(IllegalStateException.class);
    }
}
