package dev.hypha.node.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one confirmation mechanism of the dashboard's actions: a code confirms once, within its lifetime, and few are held. */
class PendingConfirmationsTest {
    private final ManualTimeSource clock = new ManualTimeSource(Instant.parse("2026-12-07T12:00:00Z"));
    private final PendingConfirmations<String> pending = new PendingConfirmations<>(clock);

    @Test
    void aCodeConfirmsWhatItWasIssuedForOnce() {
        String code = pending.issue("order 1");
        assertThat(code).matches("[0-9a-f]{32}");
        assertThat(pending.take(code)).isEqualTo("order 1");
        assertThatThrownBy(() -> pending.take(code)).isInstanceOfSatisfying(ActionRefused.class, e -> {
            assertThat(e.status).isEqualTo(400);
            assertThat(e.getMessage()).contains("no such confirmation code, or it expired (120 s) or was used");
        });
    }

    @Test
    void aStaleCodeIsRefusedAfterItsLifetimeAndAFreshOneStillHolds() {
        String stale = pending.issue("old quote");
        clock.advance(PendingConfirmations.LIFETIME.minusSeconds(1));
        String fresh = pending.issue("new quote");
        clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> pending.take(stale)).isInstanceOf(ActionRefused.class).hasMessageContaining("expired");
        assertThat(pending.take(fresh)).isEqualTo("new quote");
    }

    @Test
    void unknownCodesAreRefusedAndOnlyTheNewestQuotesAreHeld() {
        assertThatThrownBy(() -> pending.take("00")).isInstanceOf(ActionRefused.class);
        assertThatThrownBy(() -> pending.take("")).isInstanceOf(ActionRefused.class);
        List<String> codes = new ArrayList<>();
        for (int i = 0; i <= PendingConfirmations.MAX_HELD; i++) {
            codes.add(pending.issue("quote " + i));
        }
        assertThat(new HashSet<>(codes)).as("random codes, all different").hasSize(codes.size());
        assertThatThrownBy(() -> pending.take(codes.getFirst())).as("the oldest was dropped").isInstanceOf(ActionRefused.class);
        assertThat(pending.take(codes.getLast())).isEqualTo("quote " + PendingConfirmations.MAX_HELD);
        assertThat(pending.take(codes.get(1))).isEqualTo("quote 1");
    }
}
