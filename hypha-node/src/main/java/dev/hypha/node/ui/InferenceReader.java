package dev.hypha.node.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.ChannelState;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.time.TimeSource;
import dev.hypha.node.gateway.network.ProviderStats;
import dev.hypha.node.gateway.network.SeenProviders;
import dev.hypha.node.offers.Offer;
import dev.hypha.node.payments.ChargeHistory;
import dev.hypha.node.payments.PayerReceipts;
import dev.hypha.node.payments.ProviderLedger;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The inference area as the dashboard shows it: the offers on chain with what this home's gateways have seen of their
 * providers, the gateway's channels (deposit on chain, signed, charged, what the provider can still redeem), its
 * receipts and its spending over time. Amounts stay exact decimal strings of the token's smallest units.
 */
final class InferenceReader {
    /** At most this many receipts per page of {@code /ui/api/receipts}. */
    static final int MAX_RECEIPTS_PAGE = 500;
    /** The spending chart draws the newest this many receipts (older ones are summed in {@code hypha usage}). */
    static final int CHART_RECEIPTS = 2_000;
    /** The earnings chart covers this much time up to now... */
    static final Duration EARNINGS_WINDOW = Duration.ofHours(24);
    /** ...in buckets this long (288 in the window; a bucket's start is a multiple of it since the epoch). */
    static final Duration EARNINGS_BUCKET = Duration.ofMinutes(5);
    /** A channel whose signed total reached this share of its deposit (in percent) raises an alert. */
    static final int NEAR_DEPOSIT_PERCENT = 80;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final DashboardSources sources;
    private final TimeSource clock;
    private final Cached<List<Offer>> offers;
    private final Cached<ProviderStats> seen;
    private final Cached<Instant> chainTime;
    private final Cached<List<Channel>> channels;
    private long seenAtReceipt = -1;

    InferenceReader(DashboardSources sources, TimeSource clock) {
        this.sources = Objects.requireNonNull(sources, "sources");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.offers = new Cached<>(() -> sources.offers().offers(), Duration.ofSeconds(2), clock);
        this.chainTime = new Cached<>(() -> Instant.ofEpochSecond(
                sources.chain().latestBlock().getTimestamp().longValueExact()), Duration.ofSeconds(2), clock);
        // One page load asks for the channels several times (balances, alerts, the table): one chain read per second.
        this.channels = new Cached<>(this::readChannels, Duration.ofSeconds(1), clock);
        // Replays every payer file of the home (as `hypha offers` does): worth doing once per 10 s, not per request.
        this.seen = new Cached<>(() -> SeenProviders.read(sources.home(), sources.chain().chainId(), clock.now()),
                Duration.ofSeconds(10), clock);
    }

    /**
     * When offers count as live: the later of this machine's clock and the chain's newest block (a local chain's block
     * time stands still between transactions and jumps on time travel), as {@code hypha offers} judges them.
     */
    Instant liveness() {
        Instant now = clock.now();
        Instant chain = chainTime.get();
        return chain.isAfter(now) ? chain : now;
    }

    List<Offer> offers() {
        return offers.get();
    }

    ArrayNode offersJson() {
        Instant at = liveness();
        ProviderStats stats = seen();
        List<Address> known = stats.providers();
        List<Offer> sorted = new ArrayList<>(offers());
        sorted.sort(Comparator.comparing(Offer::model).thenComparing(Offer::outputPerMillion)
                .thenComparing(o -> o.provider().lowercaseHex()));
        ArrayNode out = JSON.arrayNode();
        for (Offer o : sorted) {
            ObjectNode n = out.addObject();
            n.put("provider", o.provider().toChecksumString()).put("endpoint", o.endpoint().toString())
                    .put("model", o.model()).put("modelId", o.modelId()).put("token", o.token().lowercaseHex())
                    .put("inputPerMillion", o.inputPerMillion().toString())
                    .put("outputPerMillion", o.outputPerMillion().toString())
                    .put("contextLength", o.contextLength()).put("concurrency", o.concurrency())
                    .put("liveUntil", o.liveUntil().toString()).put("live", o.liveAt(at));
            if (known.contains(o.provider())) {
                standing(n.putObject("seen"), stats.standing(o.provider(), clock.now()));
            }
        }
        return out;
    }

    /** The providers' standings, read again as soon as the gateway stored a new receipt (an answer is evidence). */
    private synchronized ProviderStats seen() {
        long newest = newestReceipt();
        if (newest != seenAtReceipt) {
            seen.invalidate();
            seenAtReceipt = newest;
        }
        return seen.get();
    }

    private static void standing(ObjectNode into, ProviderStats.Standing st) {
        into.put("standing", st.caughtCheating() ? "caught cheating" : st.coolingDown() ? "cooling down" : "good")
                // display only: the ratio of two decayed sums, rounded for people
                .put("reliabilityPercent", Math.round(st.reliability() * 1000) / 10.0)
                .put("answers", Math.round(st.answers() * 10) / 10.0)
                .put("faults", Math.round(st.faults() * 10) / 10.0)
                .put("firstTokenMillis", st.latencyNanos() / 1_000_000);
        st.lastFault().ifPresent(f -> into.put("lastFault", f.fault() + " at " + f.at() + ": " + f.detail()));
    }

    /** One channel of the paying gateway, joined from its ledger, its receipts and the chain. */
    record Channel(ChannelParams params, BigInteger deposit, BigInteger redeemed, BigInteger signed,
                   BigInteger charged, String status) {
        /** What the provider can still claim with the best voucher it holds: signed, less what it already redeemed. */
        BigInteger redeemable() {
            return signed.subtract(redeemed).max(BigInteger.ZERO);
        }

        boolean nearDeposit() {
            return deposit.signum() > 0 && signed.multiply(BigInteger.valueOf(100))
                    .compareTo(deposit.multiply(BigInteger.valueOf(NEAR_DEPOSIT_PERCENT))) >= 0;
        }

        long usedPercent() {
            // signed stays within the deposit; clamped anyway, so an odd ledger row cannot break the page
            return deposit.signum() == 0 ? 0
                    : signed.multiply(BigInteger.valueOf(100)).divide(deposit).min(BigInteger.valueOf(1000)).longValue();
        }
    }

    List<Channel> channels() {
        return channels.get();
    }

    /** Forgets the cached channels (after the page funded one, so its next read shows the new deposit). */
    void channelsChanged() {
        channels.invalidate();
    }

    /** Changes when a channel is added or its deposit, spending or status does (for the live tick). */
    String channelsFingerprint() {
        StringBuilder b = new StringBuilder();
        for (Channel c : channels()) {
            b.append(c.params().id()).append(c.deposit()).append(c.status()).append(';');
        }
        return Integer.toHexString(b.toString().hashCode());
    }

    private List<Channel> readChannels() {
        if (sources.payer().isEmpty()) {
            return List.of();
        }
        DashboardSources.Payer payer = sources.payer().get();
        List<Channel> out = new ArrayList<>();
        for (ChannelParams p : payer.ledger().channels()) {
            String id = p.id();
            ChannelState state = sources.contracts().channels().state(id);
            String status = !state.exists() ? "not opened" : state.settled() ? "settled"
                    : state.closesAt() != 0 ? "closing" : "open";
            out.add(new Channel(p, state.deposit(), state.redeemed(), payer.ledger().signedTotal(id),
                    payer.receipts().charged(id), status));
        }
        return List.copyOf(out);
    }

    ArrayNode channelsJson() {
        ArrayNode out = JSON.arrayNode();
        for (Channel c : channels()) {
            out.addObject().put("id", c.params().id()).put("provider", c.params().provider().toChecksumString())
                    .put("token", c.params().token().lowercaseHex()).put("deposit", c.deposit().toString())
                    .put("signed", c.signed().toString()).put("charged", c.charged().toString())
                    .put("redeemed", c.redeemed().toString()).put("redeemable", c.redeemable().toString())
                    .put("usedPercent", c.usedPercent()).put("status", c.status());
        }
        return out;
    }

    /** The newest receipt's row number (0 before any, or without a paying gateway). */
    long newestReceipt() {
        return sources.payer().map(p -> {
            List<PayerReceipts.Numbered> newest = p.receipts().newest(0, 1);
            return newest.isEmpty() ? 0L : newest.getFirst().seq();
        }).orElse(0L);
    }

    ArrayNode receiptsJson(long after, int limit) {
        ArrayNode out = JSON.arrayNode();
        if (sources.payer().isEmpty()) {
            return out;
        }
        for (PayerReceipts.Numbered n : sources.payer().get().receipts().newest(after, limit)) {
            var r = n.stored().receipt();
            out.addObject().put("seq", n.seq()).put("at", n.stored().at().toString()).put("model", n.stored().model())
                    .put("provider", n.stored().provider().toChecksumString()).put("channel", r.channelId())
                    .put("tokensIn", r.tokensIn()).put("tokensOut", r.tokensOut()).put("price", r.price().toString())
                    .put("chargedTotal", r.cumulativeAmount().toString()).put("requestHash", r.requestHash())
                    .put("outputHash", r.outputHash()).put("modelId", r.modelId()).put("signature", n.signature())
                    .put("token", n.stored().token().map(Address::lowercaseHex).orElse(null));
        }
        return out;
    }

    /**
     * Spending over time: per model and provider, the running total after each of the newest {@link #CHART_RECEIPTS}
     * receipts as [epoch milliseconds, exact total] (the page turns them into chart points), and the totals per model
     * and per provider.
     */
    ObjectNode spendingJson() {
        ObjectNode out = JSON.objectNode();
        ArrayNode series = out.putArray("series");
        if (sources.payer().isEmpty()) {
            out.put("paying", false);
            return out;
        }
        out.put("paying", true);
        List<PayerReceipts.Numbered> receipts = sources.payer().get().receipts().newest(0, CHART_RECEIPTS);
        // TreeMaps: the same receipts always give the same series in the same order
        Map<String, ArrayNode> points = new TreeMap<>();
        Map<String, BigInteger> running = new TreeMap<>();
        Map<String, BigInteger> perModel = new TreeMap<>();
        Map<String, BigInteger> perProvider = new TreeMap<>();
        for (PayerReceipts.Numbered n : receipts) {
            String model = n.stored().model();
            String provider = n.stored().provider().toChecksumString();
            String key = model + " @ " + provider;
            BigInteger price = n.stored().receipt().price();
            BigInteger total = running.merge(key, price, BigInteger::add);
            perModel.merge(model, price, BigInteger::add);
            perProvider.merge(provider, price, BigInteger::add);
            ArrayNode p = points.computeIfAbsent(key, k -> {
                ArrayNode a = JSON.arrayNode();
                series.addObject().put("model", model).put("provider", provider).set("points", a);
                return a;
            });
            p.addArray().add(n.stored().at().toEpochMilli()).add(total.toString());
        }
        ObjectNode models = out.putObject("perModel");
        perModel.forEach((k, v) -> models.put(k, v.toString()));
        ObjectNode providers = out.putObject("perProvider");
        perProvider.forEach((k, v) -> providers.put(k, v.toString()));
        out.put("receipts", receipts.size());
        return out;
    }

    /** What the provider running here earned, per channel and in total (exact sums); "present": false without one. */
    ObjectNode earningsJson() {
        ObjectNode out = JSON.objectNode();
        ArrayNode rows = out.putArray("channels");
        if (sources.provider().isEmpty()) {
            return out.put("present", false);
        }
        BigInteger charged = BigInteger.ZERO;
        BigInteger redeemed = BigInteger.ZERO;
        BigInteger toRedeem = BigInteger.ZERO;
        for (ProviderLedger.Earning e : sources.provider().get().ledger().earnings()) {
            rows.addObject().put("id", e.channel().id()).put("payer", e.channel().payer().toChecksumString())
                    .put("token", e.channel().token().lowercaseHex()).put("deposit", e.deposit().toString())
                    .put("bestVoucher", e.best().toString()).put("charged", e.charged().toString())
                    .put("redeemed", e.redeemed().toString()).put("toRedeem", e.toRedeem().toString());
            charged = charged.add(e.charged());
            redeemed = redeemed.add(e.redeemed());
            toRedeem = toRedeem.add(e.toRedeem());
        }
        overTime(out.putObject("overTime"), sources.provider().get().ledger());
        return out.put("present", true).put("account", sources.provider().get().account().toChecksumString())
                .put("charged", charged.toString()).put("redeemed", redeemed.toString())
                .put("toRedeem", toRedeem.toString());
    }

    /** The newest charge the provider running here recorded (0 without one, or before any): for the live tick. */
    long newestCharge() {
        return sources.provider().map(p -> p.ledger().newestCharge()).orElse(0L);
    }

    /**
     * Earnings over the last {@link #EARNINGS_WINDOW} per model: per bucket with charges, [bucket start in epoch ms,
     * running total after it] (exact decimal strings, as the spending chart), and per model its sum, tokens and number
     * of charges (the table that is the chart's text alternative). The window ends at the end of the current bucket, so
     * buckets stay put from one refresh to the next.
     */
    private void overTime(ObjectNode into, ProviderLedger ledger) {
        long step = EARNINGS_BUCKET.toMillis();
        Instant to = Instant.ofEpochMilli(Math.addExact(Math.floorDiv(clock.now().toEpochMilli(), step) * step, step));
        ChargeHistory.Series s = ledger.earningsOverTime(ChargeHistory.Window.ending(to, EARNINGS_WINDOW, EARNINGS_BUCKET));
        into.put("from", s.window().from().toEpochMilli()).put("to", to.toEpochMilli()).put("bucketMillis", step)
                .put("charges", s.chargesRead()).put("truncated", s.truncated());
        ArrayNode models = into.putArray("models");
        for (ChargeHistory.ModelSeries m : s.models()) {
            ArrayNode points = JSON.arrayNode();
            BigInteger running = BigInteger.ZERO;
            long in = 0;
            long out = 0;
            int charges = 0;
            for (ChargeHistory.Bucket b : m.buckets()) {
                running = running.add(b.amount());
                in = Math.addExact(in, b.tokensIn());
                out = Math.addExact(out, b.tokensOut());
                charges = Math.addExact(charges, b.charges());
                points.addArray().add(b.startMillis()).add(running.toString());
            }
            models.addObject().put("modelId", m.modelId()).put("model", m.modelName()).put("total", m.total().toString())
                    .put("tokensIn", in).put("tokensOut", out).put("charges", charges).set("points", points);
        }
    }

    /** Providers the gateway has open channels with or this node runs, that have no live offer now: they look down. */
    List<String> providerAlerts() {
        Instant at = liveness();
        List<Address> live = offers().stream().filter(o -> o.liveAt(at)).map(Offer::provider).distinct().toList();
        List<String> alerts = new ArrayList<>();
        sources.provider().map(DashboardSources.Seller::account).ifPresent(p -> {
            if (!live.contains(p)) {
                alerts.add("this node's provider " + p.toChecksumString() + " has no live offer on the OfferRegistry"
                        + " (stopped, or its heartbeat lapsed)");
            }
        });
        List<Address> withChannels = channels().stream().filter(c -> c.status().equals("open"))
                .map(c -> c.params().provider()).distinct().sorted().toList();
        for (Address p : withChannels) {
            if (!live.contains(p) && !sources.provider().map(DashboardSources.Seller::account).equals(Optional.of(p))) {
                alerts.add("provider " + p.toChecksumString() + " (an open channel of this gateway) has no live offer:"
                        + " it looks down");
            }
        }
        ProviderStats stats = seen();
        for (Address p : stats.providers()) {
            ProviderStats.Standing st = stats.standing(p, clock.now());
            if (st.caughtCheating()) {
                alerts.add("provider " + p.toChecksumString() + " was caught cheating; routing tries it last");
            } else if (st.coolingDown()) {
                alerts.add("provider " + p.toChecksumString() + " is cooling down after " + st.faultsInARow()
                        + " fault(s) in a row");
            }
        }
        return alerts;
    }

    List<String> channelAlerts() {
        List<String> alerts = new ArrayList<>();
        for (Channel c : channels()) {
            if (c.status().equals("open") && c.nearDeposit()) {
                alerts.add(String.format(Locale.ROOT, "channel %s with provider %s has used %d%% of its deposit"
                                + " (the gateway tops it up within `hypha budget`)", shortId(c.params().id()),
                        c.params().provider().toChecksumString(), c.usedPercent()));
            } else if (c.status().equals("closing")) {
                alerts.add("channel " + shortId(c.params().id()) + " with provider "
                        + c.params().provider().toChecksumString() + " is closing");
            }
        }
        return alerts;
    }

    private static String shortId(String id) {
        return id.length() > 14 ? id.substring(0, 10) + "…" + id.substring(id.length() - 4) : id;
    }
}
