package dev.hypha.core.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void waitsDoubleFromTheInitialAndStopAtTheMaximum() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(500));
        assertThat(b.delay(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(b.delay(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(b.delay(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(b.delay(4)).isEqualTo(Duration.ofMillis(500));
        assertThat(b.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void badPoliciesAreRefusedWithTheValue() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).hasMessageContaining("below");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)).delay(0)).hasMessageContaining("1-based");
    }

    @Test
    void manualTimeMovesOnlyBySleepsAndAdvances() throws InterruptedException {
        ManualTimeSource time = new ManualTimeSource(Instant.parse("2026-01-01T00:00:00Z"));
        TimeSource.Deadline deadline = time.deadline(Duration.ofSeconds(1));
        new Backoff(Duration.ofMillis(300), Duration.ofSeconds(10)).sleep(time, 2);
        assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(600));
        assertThat(deadline.passed()).isFalse();
        assertThat(deadline.remaining()).isEqualTo(Duration.ofMillis(400));
        time.advance(Duration.ofMillis(401));
        assertThat(deadline.passed()).isTrue();
        assertThat(time.now()).isEqualTo(Instant.parse("2026-01-01T00:00:01.001Z"));
        assertThat(time.sleeps()).isEqualTo(1);
    }

    @Test
    void anInterruptedThreadDoesNotSleepOnManualTime() {
        ManualTimeSource time = new ManualTimeSource(Instant.EPOCH);
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> time.sleep(Duration.ofSeconds(1))).isInstanceOf(InterruptedException.class);
        assertThat(time.elapsed()).isEqualTo(Duration.ZERO);
    }
}
