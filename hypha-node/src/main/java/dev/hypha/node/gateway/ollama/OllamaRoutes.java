package dev.hypha.node.gateway.ollama;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.GenerationCancelledException;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.http.Fields;
import dev.hypha.node.gateway.http.JsonBody;
import dev.hypha.node.gateway.http.ResponseStream;
import dev.hypha.node.http.ApiRoutes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The Ollama API: {@code GET|HEAD /}, {@code /api/version}, {@code /api/tags}, {@code /api/ps}, {@code /api/show},
 * {@code /api/generate}, {@code /api/chat}, {@code /api/embed} and the legacy {@code /api/embeddings}. Streams are
 * NDJSON; errors are {@code {"error": "..."}} with Ollama's status codes, and an error after a stream began is its
 * last line (the status is already 200 by then), as Ollama sends it.
 */
public final class OllamaRoutes implements ApiRoutes {
    /** The Ollama release whose API this gateway follows; clients gate features on it. */
    public static final String OLLAMA_API_VERSION = "0.12.6";
    private static final System.Logger LOG = System.getLogger(OllamaRoutes.class.getName());

    private final InferenceBackend backend;
    private final OllamaRequests requests;
    private final Clock clock;

    public OllamaRoutes(InferenceBackend backend, OllamaRequests requests, Clock clock) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.requests = Objects.requireNonNull(requests, "requests");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void addTo(Javalin api) {
        Handler running = ctx -> ctx.contentType("text/plain; charset=utf-8").result("Ollama is running");
        api.get("/", running);
        api.head("/", running);
        Handler version = ctx -> json(ctx, 200, JsonBody.MAPPER.createObjectNode().put("version", OLLAMA_API_VERSION));
        api.get("/api/version", version);
        api.head("/api/version", version);
        Handler tags = ctx -> guarded(ctx, () -> json(ctx, 200, OllamaJson.tags(backend.models())));
        api.get("/api/tags", tags);
        api.head("/api/tags", tags);
        api.get("/api/ps", ctx -> guarded(ctx, () -> json(ctx, 200, OllamaJson.ps(backend.running()))));
        api.post("/api/show", ctx -> guarded(ctx, () -> {
            ObjectNode body = JsonBody.read(ctx.bodyInputStream());
            boolean verbose = Fields.bool(body, "verbose").orElse(false);
            json(ctx, 200, OllamaJson.show(backend.show(OllamaRequests.model(body), verbose)));
        }));
        api.post("/api/generate", ctx -> guarded(ctx, () -> {
            generate(ctx, requests.generate(JsonBody.read(ctx.bodyInputStream())), false);
        }));
        api.post("/api/chat", ctx -> guarded(ctx, () -> generate(ctx, requests.chat(JsonBody.read(ctx.bodyInputStream())), true)));
        api.post("/api/embed", ctx -> guarded(ctx, () -> {
            var call = requests.embed(JsonBody.read(ctx.bodyInputStream()));
            json(ctx, 200, OllamaJson.embed(call.model(), backend.embed(call)));
        }));
        api.post("/api/embeddings", ctx -> guarded(ctx, () -> {
            var call = requests.legacyEmbedding(JsonBody.read(ctx.bodyInputStream()));
            json(ctx, 200, OllamaJson.legacyEmbedding(backend.embed(call)));
        }));
    }

    private void generate(Context ctx, OllamaRequests.Parsed parsed, boolean chat) {
        if (parsed.call().isEmpty()) {
            backend.load(parsed.model(), parsed.keepAlive());
            String reason = parsed.keepAlive().unloadNow() ? "unload" : "load";
            json(ctx, 200, OllamaJson.loaded(parsed.model(), clock.instant(), chat, reason));
            return;
        }
        GenerateCall call = parsed.call().get();
        if (!parsed.stream()) {
            Completion c = backend.generate(call, TextSink.DISCARD);
            json(ctx, 200, chat ? OllamaJson.chatDone(call.model(), clock.instant(), c.text(), c.thinking(), c)
                    : OllamaJson.generateDone(call.model(), clock.instant(), c.text(), c.thinking(), c));
            return;
        }
        Function<String, ObjectNode> chunk = piece -> chat ? OllamaJson.chatChunk(call.model(), clock.instant(), piece)
                : OllamaJson.generateChunk(call.model(), clock.instant(), piece);
        Function<String, ObjectNode> thinkingChunk = piece -> chat
                ? OllamaJson.chatThinkingChunk(call.model(), clock.instant(), piece)
                : OllamaJson.generateThinkingChunk(call.model(), clock.instant(), piece);
        // Problems found before the first token (unknown model, full queue, prompt too long) still get their status
        // code: the stream starts with the first piece of text, not before.
        ResponseStream[] stream = {null};
        Consumer<ObjectNode> send = o -> {
            if (stream[0] == null) {
                stream[0] = new ResponseStream(ctx, "application/x-ndjson");
            }
            stream[0].write(line(o));
        };
        TextSink sink = TextSink.of(piece -> send.accept(chunk.apply(piece)),
                piece -> send.accept(thinkingChunk.apply(piece)));
        Completion c;
        try {
            c = backend.generate(call, sink);
        } catch (GenerationCancelledException e) {
            return; // the client left; nobody to answer
        } catch (RuntimeException e) {
            if (stream[0] == null) {
                throw e;
            }
            stream[0].writeLast(line(OllamaJson.error(message(e))));
            return;
        }
        if (stream[0] == null) {
            stream[0] = new ResponseStream(ctx, "application/x-ndjson");
        }
        stream[0].writeLast(line(chat ? OllamaJson.chatDone(call.model(), clock.instant(), "", "", c)
                : OllamaJson.generateDone(call.model(), clock.instant(), "", "", c)));
    }

    private static String line(ObjectNode o) {
        return new String(JsonBody.write(o), java.nio.charset.StandardCharsets.UTF_8) + "\n";
    }

    private static void json(Context ctx, int status, ObjectNode body) {
        ctx.status(status).contentType("application/json; charset=utf-8").result(JsonBody.write(body));
    }

    /** Runs a handler, answering its failures in Ollama's error shape. */
    private static void guarded(Context ctx, Runnable handler) {
        try {
            handler.run();
        } catch (GatewayException e) {
            json(ctx, status(e.kind()), OllamaJson.error(e.getMessage()));
        } catch (GenerationCancelledException e) {
            // the client is gone
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "request to " + ctx.path() + " failed", e);
            json(ctx, 500, OllamaJson.error(message(e)));
        }
    }

    private static String message(RuntimeException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    static int status(GatewayException.Kind kind) {
        return switch (kind) {
            case BAD_REQUEST -> 400;
            case NOT_FOUND -> 404;
            case OVERLOADED -> 503;
            case INTERNAL -> 500;
        };
    }

}
