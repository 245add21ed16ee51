package dev.hypha.node.gateway.network;

import dev.hypha.core.crypto.Address;
import dev.hypha.node.gateway.remote.ProviderFault;
import dev.hypha.node.payments.PayerReceipts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the gateway has seen of each provider, which {@link Router} ranks by: answers (each one a verified receipt),
 * faults ({@link ProviderFault}), and time to first token (an exponentially weighted average). Evidence decays:
 * answers and ordinary faults halve in weight every {@link #HALF_LIFE}, cheating every {@link #CHEATING_HALF_LIFE},
 * so a provider that recovers earns its place back and one caught cheating stays last for weeks
 * ({@link Standing#caughtCheating()}). A provider that just failed also sits out a cool-down, doubled with each fault in
 * a row (capped), so a dead provider is skipped until its offer lapses on chain.
 *
 * <p>With a {@link ReputationLog} (see {@link #open}) the evidence survives restarts: answers are replayed from the
 * payer's receipts and faults from the log, so a restarted gateway still routes away from a provider that failed or
 * cheated. Time is always the caller's (the gateway's injected clock); nothing here reads a clock, and the same
 * evidence read at the same time gives the same standings.
 */
public final class ProviderStats {
    /** How long it takes answers and ordinary faults to count half as much. */
    public static final Duration HALF_LIFE = Duration.ofHours(6);
    /** How long it takes cheating to count half as much. */
    public static final Duration CHEATING_HALF_LIFE = Duration.ofDays(7);
    /**
     * Decayed cheating weight from which a provider ranks after every honest one: one incident keeps it there for two
     * half-lives (14 days), each further one for another.
     */
    static final double CHEATING_THRESHOLD = 0.25;
    /** Evidence older than ten half-lives weighs under 1/1000 and is not replayed. */
    static final int REPLAYED_HALF_LIVES = 10;
    private static final Duration FIRST_COOL_DOWN = Duration.ofSeconds(5);
    private static final Duration MAX_COOL_DOWN = Duration.ofMinutes(5);
    /** How often at most a provider's latency is saved (it is a measurement: losing a minute of it costs nothing). */
    private static final Duration LATENCY_SAVE_INTERVAL = Duration.ofMinutes(1);
    /** Weight of the newest latency sample. */
    private static final double ALPHA = 0.3;

    /**
     * One provider as the gateway has seen it, with its evidence decayed to {@code asOf}.
     *
     * @param answers        answers with an accepted receipt, decayed
     * @param faults         ordinary faults (down, refused, broke off), decayed
     * @param cheating       faults only a dishonest provider has, decayed
     * @param faultsInARow   faults since its last answer
     * @param coolsDownAt    until when it sits out after its last fault
     * @param latencyNanos   time to first token (weighted average; 0 when never measured)
     * @param lastFault      its newest fault, if any
     */
    public record Standing(double answers, double faults, double cheating, int faultsInARow, Instant coolsDownAt,
                           long latencyNanos, Optional<ReputationLog.Fault> lastFault, Instant asOf) {
        /**
         * The share of requests it answered, with one answer assumed before any evidence (so a newcomer starts at 1 and
         * one fault alone gives 0.5): (answers + 1) / (answers + faults + 1).
         */
        public double reliability() {
            return (answers + 1) / (answers + faults + 1);
        }

        /** Whether it was caught cheating recently enough to rank after every provider that was not. */
        public boolean caughtCheating() {
            return cheating >= CHEATING_THRESHOLD;
        }

        /** Whether it is sitting out after a fault. */
        public boolean coolingDown() {
            return coolsDownAt.isAfter(asOf);
        }
    }

    /** The undecayed record kept per provider. */
    private record Record(Decayed answers, Decayed faults, Decayed cheating, int faultsInARow, Instant coolsDownAt,
                          long latencyNanos, Instant latencySavedAt, Optional<ReputationLog.Fault> lastFault) {
        static final Record NEW = new Record(Decayed.NONE, Decayed.NONE, Decayed.NONE, 0, Instant.MIN, 0, Instant.MIN,
                Optional.empty());
    }

    private final Map<Address, Record> records = new HashMap<>();
    private final Optional<ReputationLog> log;

    /** Evidence kept in memory only (a gateway that forgets on restart, and tests). */
    public ProviderStats() {
        this.log = Optional.empty();
    }

    private ProviderStats(ReputationLog log) {
        this.log = Optional.of(log);
    }

    /**
     * Evidence kept durably: faults and latencies in {@code log}, answers as {@code receipts}. What both hold from the
     * last {@value #REPLAYED_HALF_LIVES} half-lives before {@code now} is replayed in time order. New faults are written
     * to the log.
     */
    public static ProviderStats open(ReputationLog log, PayerReceipts receipts, Instant now) {
        ProviderStats stats = new ProviderStats(log);
        stats.replay(List.of(log), List.of(receipts), now);
        return stats;
    }

    /**
     * What several gateways' files say (e.g. every payer account of a home, for {@code hypha offers}), read only:
     * nothing is written to them.
     */
    public static ProviderStats read(List<ReputationLog> logs, List<PayerReceipts> receipts, Instant now) {
        ProviderStats stats = new ProviderStats();
        stats.replay(logs, receipts, now);
        return stats;
    }

    /** Before this, faults no longer count at {@code now} (a log may forget them: {@link ReputationLog#forgetBefore}). */
    public static Instant forgotten(Instant now) {
        return now.minus(CHEATING_HALF_LIFE.multipliedBy(REPLAYED_HALF_LIVES));
    }

    private synchronized void replay(List<ReputationLog> logs, List<PayerReceipts> receipts, Instant now) {
        Instant answersSince = now.minus(HALF_LIFE.multipliedBy(REPLAYED_HALF_LIVES));
        // One timeline of answers and faults, so each provider's faults in a row are counted as they happened.
        record Event(Instant at, Address provider, long answers, ReputationLog.Fault fault) {}
        List<Event> events = new ArrayList<>();
        for (PayerReceipts r : receipts) {
            for (PayerReceipts.Answers a : r.answersSince(answersSince)) {
                events.add(new Event(a.latest(), a.provider(), a.count(), null));
            }
        }
        for (ReputationLog log : logs) {
            for (ReputationLog.Fault f : log.since(forgotten(now))) {
                events.add(new Event(f.at(), f.provider(), 0, f));
            }
        }
        events.sort(Comparator.comparing(Event::at).thenComparing(e -> e.fault() == null ? 0 : 1)
                .thenComparing(e -> e.provider().lowercaseHex()));
        for (Event e : events) {
            if (e.fault() == null) {
                addAnswers(e.provider(), e.answers(), e.at());
            } else {
                addFault(e.fault());
            }
        }
        for (ReputationLog log : logs) {
            for (ReputationLog.Latency l : log.latencies()) {
                Record r = of(l.provider());
                if (l.at().isAfter(r.latencySavedAt())) { // the newest of several logs
                    records.put(l.provider(), new Record(r.answers(), r.faults(), r.cheating(), r.faultsInARow(),
                            r.coolsDownAt(), l.nanos(), l.at(), r.lastFault()));
                }
            }
        }
    }

    /** How {@code provider} stands at {@code now}. */
    public synchronized Standing standing(Address provider, Instant now) {
        Record r = of(provider);
        return new Standing(r.answers().at(now, HALF_LIFE), r.faults().at(now, HALF_LIFE),
                r.cheating().at(now, CHEATING_HALF_LIFE), r.faultsInARow(), r.coolsDownAt(), r.latencyNanos(),
                r.lastFault(), now);
    }

    /** Every provider seen, in address order. */
    public synchronized List<Address> providers() {
        return records.keySet().stream().sorted(Comparator.comparing(Address::lowercaseHex)).toList();
    }

    /**
     * {@code provider} answered at {@code at} and its receipt was accepted (and stored) first; its first token came
     * {@code firstTokenNanos} after the request was sent.
     */
    public synchronized void answered(Address provider, Instant at, long firstTokenNanos) {
        addAnswers(provider, 1, at);
        Record r = of(provider);
        long latency = r.latencyNanos() == 0 ? firstTokenNanos
                : Math.round(ALPHA * firstTokenNanos + (1 - ALPHA) * r.latencyNanos());
        Instant savedAt = r.latencySavedAt();
        if (log.isPresent() && !at.isBefore(savedAt.plus(LATENCY_SAVE_INTERVAL))) {
            log.get().saveLatency(new ReputationLog.Latency(provider, latency, at));
            savedAt = at;
        }
        records.put(provider, new Record(r.answers(), r.faults(), r.cheating(), r.faultsInARow(), r.coolsDownAt(),
                latency, savedAt, r.lastFault()));
    }

    /** {@code provider} failed or cheated at {@code at}: recorded in the log (when there is one) before returning. */
    public synchronized void failed(Address provider, ProviderFault fault, String detail, Instant at) {
        ReputationLog.Fault f = new ReputationLog.Fault(at, provider, fault, detail);
        log.ifPresent(l -> l.add(f));
        addFault(f);
    }

    private Record of(Address provider) {
        return records.getOrDefault(provider, Record.NEW);
    }

    private void addAnswers(Address provider, long count, Instant at) {
        Record r = of(provider);
        records.put(provider, new Record(r.answers().plus(count, at, HALF_LIFE), r.faults(), r.cheating(), 0,
                Instant.MIN, r.latencyNanos(), r.latencySavedAt(), r.lastFault()));
    }

    private void addFault(ReputationLog.Fault f) {
        Record r = of(f.provider());
        int inARow = Math.min(r.faultsInARow() + 1, 16);
        Duration coolDown = FIRST_COOL_DOWN.multipliedBy(1L << Math.min(inARow - 1, 10));
        if (coolDown.compareTo(MAX_COOL_DOWN) > 0) {
            coolDown = MAX_COOL_DOWN;
        }
        boolean cheating = f.fault().cheating();
        records.put(f.provider(), new Record(r.answers(),
                cheating ? r.faults() : r.faults().plus(1, f.at(), HALF_LIFE),
                cheating ? r.cheating().plus(1, f.at(), CHEATING_HALF_LIFE) : r.cheating(),
                inARow, f.at().plus(coolDown), r.latencyNanos(), r.latencySavedAt(), Optional.of(f)));
    }
}
