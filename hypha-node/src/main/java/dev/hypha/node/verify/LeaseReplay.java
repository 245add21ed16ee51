package dev.hypha.node.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.compute.StateCommitment;
import dev.hypha.chain.deploy.TrainingVerifierClient;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.ml.train.verify.Replayer;
import dev.hypha.node.compute.ContentFetcher;
import dev.hypha.node.compute.JobLimits;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A verifier's view of one lease: the job (fetched from the provider's endpoint by content id, checked against the
 * order's spec digest) and the states it has checked against the provider's commitments ("anchors": the initial state,
 * and checkpoints whose root is the commitment at their step). A segment is audited from the anchor at its start: the
 * provider's own checkpoint when it serves one that matches, otherwise this node's replay from the last anchor, with
 * every commitment on the way checked, so withholding checkpoints only makes the provider's earlier segments checked too.
 */
final class LeaseReplay {
    /** Largest checkpoint list answer read. */
    private static final int MAX_LIST_BYTES = 1 << 20;
    /** Largest checkpoint read: parameters and two optimizer moments (4 bytes each) at the job limits, plus headers. */
    private static final long MAX_STATE_BYTES = JobLimits.DEFAULT.maxParameters() * 12 + (1 << 20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BigInteger order;
    private final LeaseJob job;
    private final Replayer replayer;
    private final TrainingVerifierClient verifier;
    private final HttpClient http;
    private final URI endpoint;
    private final ContentFetcher fetcher;
    private final NavigableMap<Long, RunState> anchors = new TreeMap<>();
    private final Map<Long, ContentId> served = new HashMap<>();
    private long stepsReplayed;

    private LeaseReplay(BigInteger order, LeaseJob job, FloatMatMul gemm, TrainingVerifierClient verifier, HttpClient http,
                        URI endpoint, ContentFetcher fetcher) {
        this.order = order;
        this.job = job;
        this.replayer = job.replayer(gemm);
        this.verifier = verifier;
        this.http = http;
        this.endpoint = endpoint;
        this.fetcher = fetcher;
        anchors.put(0L, replayer.initial());
    }

    /** The lease's job, its inputs fetched from the provider's registered {@code endpoint} into {@code store}. */
    static LeaseReplay open(BigInteger order, String specHex, URI endpoint, ContentStore store, FloatMatMul gemm,
                            TrainingVerifierClient verifier, HttpClient http) {
        ContentFetcher fetcher = new ContentFetcher(http, List.of(endpoint));
        LeaseJob job = LeaseJob.load(specHex, store, Optional.of(fetcher), JobLimits.DEFAULT);
        return new LeaseReplay(order, job, gemm, verifier, http, endpoint, fetcher);
    }

    LeaseJob job() {
        return job;
    }

    Replayer replayer() {
        return replayer;
    }

    long stepsReplayed() {
        return stepsReplayed;
    }

    /** The root this node's re-execution gives at {@code toStep}, replayed from {@code from}. */
    RunState replay(RunState from, long toStep) {
        stepsReplayed += toStep - from.step();
        return replayer.replay(from, toStep);
    }

    /**
     * Makes the state at commitment {@code k} an anchor. Returns the index of a commitment at or before {@code k}
     * that re-execution contradicts when the provider's checkpoint could not be used (the segment to challenge).
     */
    OptionalLong anchorAt(long k) {
        StateCommitment ck = verifier.commitment(order, k);
        if (anchors.containsKey(ck.step())) {
            return OptionalLong.empty();
        }
        Optional<RunState> cp = checkpoint(ck);
        if (cp.isPresent()) {
            anchors.put(ck.step(), cp.get());
            return OptionalLong.empty();
        }
        for (long j = 1; j <= k; j++) {
            StateCommitment cj = verifier.commitment(order, j);
            if (anchors.containsKey(cj.step())) {
                continue;
            }
            RunState s = replay(anchors.floorEntry(cj.step()).getValue(), cj.step());
            if (!Arrays.equals(replayer.root(s), cj.root())) {
                return OptionalLong.of(j);
            }
            anchors.put(cj.step(), s);
        }
        return OptionalLong.empty();
    }

    /** The anchor at commitment {@code k} (after {@link #anchorAt} succeeded). */
    RunState anchor(long k) {
        RunState s = anchors.get(verifier.commitment(order, k).step());
        if (s == null) {
            throw new IllegalStateException("no checked state at commitment " + k + " of order " + order);
        }
        return s;
    }

    /** The provider's checkpoint at commitment {@code c}, when it serves one whose root is the commitment's. */
    private Optional<RunState> checkpoint(StateCommitment c) {
        try {
            if (!served.containsKey(c.step())) {
                refreshList();
            }
            ContentId id = served.get(c.step());
            if (id == null) {
                return Optional.empty();
            }
            RunState s = replayer.checkpoint(id.toString(), fetcher.fetch(id, MAX_STATE_BYTES));
            if (s.step() != c.step() || !Arrays.equals(replayer.root(s), c.root())) {
                return Optional.empty(); // not the committed state: useless, replay instead
            }
            return Optional.of(s);
        } catch (HyphaException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private void refreshList() {
        URI uri = endpoint.resolve("/compute/jobs/" + order + "/checkpoints");
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = r.body()) {
                byte[] bytes = body.readNBytes(MAX_LIST_BYTES + 1);
                if (r.statusCode() != 200 || bytes.length > MAX_LIST_BYTES) {
                    return;
                }
                JsonNode n = JSON.readTree(bytes);
                for (JsonNode c : n.path("checkpoints")) {
                    served.put(c.path("step").asLong(-1), ContentId.parse(c.path("cid").asText()));
                }
            }
        } catch (IOException | RuntimeException e) {
            // nothing served: the caller replays instead
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
