package dev.hypha.node.gateway;

import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.gateway.local.GenerationEvent;
import dev.hypha.node.gateway.api.GatewayRoutes;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.testing.TinyModelStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real gateway on loopback over a real store holding a seeded random model with a real (fortunes-trained) byte-level
 * BPE vocabulary: every answer comes from hypha-ml's engine. Generations are reported to {@link #events}.
 */
final class GatewayFixture implements AutoCloseable {
    static final String MODEL = "tiny:latest";
    /** A large trained context, so a generation can run long enough for a client to walk away from it. */
    static final int CONTEXT = 8192;

    final Path home;
    final ModelStore store;
    final LocalBackend backend;
    final ApiServer server;
    final LinkedBlockingQueue<GenerationEvent> events = new LinkedBlockingQueue<>();
    /** Seeds handed out for requests that ask for a random one (counted, so tests can tell it was used). */
    final AtomicLong randomSeeds = new AtomicLong(1000);

    GatewayFixture(Path home, int queue) {
        this(home, queue, 7, CONTEXT);
    }

    /** With another random model: {@code modelSeed} picks its weights, {@code context} its trained context. */
    GatewayFixture(Path home, int queue, long modelSeed, int context) {
        this(home, queue, modelSeed, context, null);
    }

    /** With {@code chatTemplate} (Jinja) as the model's template instead of its vocabulary's ChatML. */
    GatewayFixture(Path home, int queue, long modelSeed, int context, String chatTemplate) {
        this(home, queue, TinyModelStore.create(home, MODEL, modelSeed, context, chatTemplate));
    }

    /** Serving {@code store} (which holds {@link #MODEL}). */
    GatewayFixture(Path home, int queue, ModelStore store) {
        this(home, queue, store, LocalBackend.Settings.DEFAULT_NUM_PARALLEL);
    }

    /** With {@code numParallel} requests generating at once (1: one at a time, the others wait their turn). */
    GatewayFixture(Path home, int queue, ModelStore store, int numParallel) {
        this.home = home;
        this.store = store;
        this.backend = new LocalBackend(store, LocalBackend.Settings.defaults().withQueue(queue).withObserver(events::add)
                .withNumParallel(numParallel));
        this.server = new ApiServer("127.0.0.1", 0, List.of(new GatewayRoutes(backend, Clock.systemUTC(),
                randomSeeds::incrementAndGet)));
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    Path modelFile() {
        return store.resolve(ModelName.parse(MODEL));
    }

    @Override
    public void close() {
        server.close();
        backend.close();
    }
}
