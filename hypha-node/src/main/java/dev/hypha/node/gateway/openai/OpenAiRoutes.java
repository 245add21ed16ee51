package dev.hypha.node.gateway.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerationCancelledException;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.http.JsonBody;
import dev.hypha.node.gateway.http.ResponseStream;
import dev.hypha.node.http.ApiRoutes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The OpenAI API: {@code /v1/chat/completions}, {@code /v1/completions} (both plain and as server-sent events ending
 * with {@code data: [DONE]}), {@code /v1/responses} (stateless; {@link ResponsesHandler}), {@code /v1/models},
 * {@code /v1/models/{model}}, {@code /v1/embeddings}. Errors use
 * OpenAI's error object; an error after a stream began is sent as one more event carrying it.
 */
public final class OpenAiRoutes implements ApiRoutes {
    private static final System.Logger LOG = System.getLogger(OpenAiRoutes.class.getName());

    private final InferenceBackend backend;
    private final OpenAiRequests requests;
    private final ResponsesRequests responses;
    private final ResponsesHandler responsesHandler;
    private final Clock clock;
    private final AtomicLong ids = new AtomicLong();

    public OpenAiRoutes(InferenceBackend backend, OpenAiRequests requests, Clock clock) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.requests = Objects.requireNonNull(requests, "requests");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.responses = new ResponsesRequests(requests.randomSeeds());
        this.responsesHandler = new ResponsesHandler(backend);
    }

    @Override
    public void addTo(Javalin api) {
        api.get("/v1/models", ctx -> guarded(ctx, () -> json(ctx, 200, OpenAiJson.models(backend.models()))));
        api.get("/v1/models/{model}", ctx -> guarded(ctx, () -> {
            String name = ctx.pathParam("model");
            ModelInfo m = backend.models().stream().filter(x -> x.name().equals(name) || x.name().equals(name + ":latest"))
                    .findFirst().orElseThrow(() -> new GatewayException(GatewayException.Kind.NOT_FOUND,
                            "model \"" + name + "\" not found"));
            json(ctx, 200, OpenAiJson.model(m));
        }));
        api.post("/v1/chat/completions", ctx -> guarded(ctx, () ->
                complete(ctx, requests.chat(JsonBody.read(ctx.bodyInputStream())), true)));
        api.post("/v1/completions", ctx -> guarded(ctx, () ->
                complete(ctx, requests.completion(JsonBody.read(ctx.bodyInputStream())), false)));
        api.post("/v1/responses", ctx -> guarded(ctx, () -> {
            ResponsesRequests.Parsed parsed = responses.parse(JsonBody.read(ctx.bodyInputStream()));
            long n = ids.incrementAndGet();
            responsesHandler.answer(ctx, parsed, "resp_" + n, Long.toString(n), clock.instant().getEpochSecond());
        }));
        api.post("/v1/embeddings", ctx -> guarded(ctx, () -> {
            ObjectNode body = JsonBody.read(ctx.bodyInputStream());
            var call = requests.embeddings(body);
            boolean base64 = OpenAiRequests.base64(body);
            json(ctx, 200, OpenAiJson.embeddings(call.model(), backend.embed(call), base64));
        }));
    }

    private void complete(Context ctx, OpenAiRequests.Parsed parsed, boolean chat) {
        String model = parsed.call().model();
        String id = (chat ? "chatcmpl-" : "cmpl-") + ids.incrementAndGet();
        long created = clock.instant().getEpochSecond();
        if (!parsed.stream()) {
            Completion c = backend.generate(parsed.call(), TextSink.DISCARD);
            json(ctx, 200, chat ? OpenAiJson.chatCompletion(id, created, model, c)
                    : OpenAiJson.textCompletion(id, created, model, c.text(), c.doneReason().wire(), c));
            return;
        }
        ResponseStream[] stream = {null};
        boolean[] first = {true};
        Consumer<ObjectNode> send = o -> {
            if (stream[0] == null) {
                stream[0] = new ResponseStream(ctx, "text/event-stream");
            }
            stream[0].write(event(o));
            first[0] = false;
        };
        TextSink sink = TextSink.of(
                piece -> send.accept(chat ? OpenAiJson.chatChunk(id, created, model, piece, first[0], null)
                        : OpenAiJson.textCompletion(id, created, model, piece, null, null)),
                piece -> {
                    if (chat) { // /v1/completions has no field for reasoning; its text is the answer alone
                        send.accept(OpenAiJson.reasoningChunk(id, created, model, piece, first[0]));
                    }
                });
        Completion c;
        try {
            c = backend.generate(parsed.call(), sink);
        } catch (GenerationCancelledException e) {
            return;
        } catch (RuntimeException e) {
            if (stream[0] == null) {
                throw e;
            }
            GatewayException.Kind kind = e instanceof GatewayException g ? g.kind() : GatewayException.Kind.INTERNAL;
            stream[0].writeLast(event(OpenAiJson.error(kind, String.valueOf(e.getMessage()))) + "data: [DONE]\n\n");
            return;
        }
        if (stream[0] == null) {
            stream[0] = new ResponseStream(ctx, "text/event-stream");
        }
        StringBuilder tail = new StringBuilder();
        if (chat && !c.toolCalls().isEmpty()) {
            tail.append(event(OpenAiJson.toolCallChunk(id, created, model, c.toolCalls(), first[0])));
            first[0] = false;
        }
        ObjectNode finish = chat ? OpenAiJson.chatChunk(id, created, model, null, first[0], OpenAiJson.finishReason(c))
                : OpenAiJson.textCompletion(id, created, model, "", c.doneReason().wire(), null);
        // Log-probabilities come per token, pieces per text: a stream carries all of them in its finishing chunk
        // (clients join the chunks' lists, so the joined list is the same).
        ((ObjectNode) finish.get("choices").get(0)).set("logprobs", chat ? OpenAiJson.chatLogprobs(c)
                : OpenAiJson.textLogprobs(c));
        tail.append(event(finish));
        if (parsed.includeUsage()) {
            tail.append(event(OpenAiJson.usageChunk(id, created, model, chat ? "chat.completion.chunk" : "text_completion", c)));
        }
        tail.append("data: [DONE]\n\n");
        stream[0].writeLast(tail.toString());
    }

    private static String event(ObjectNode o) {
        return "data: " + new String(JsonBody.write(o), StandardCharsets.UTF_8) + "\n\n";
    }

    private static void json(Context ctx, int status, ObjectNode body) {
        ctx.status(status).contentType("application/json; charset=utf-8").result(JsonBody.write(body));
    }

    private static void guarded(Context ctx, Runnable handler) {
        try {
            handler.run();
        } catch (GatewayException e) {
            json(ctx, status(e.kind()), OpenAiJson.error(e.kind(), e.getMessage()));
        } catch (GenerationCancelledException e) {
            // the client is gone
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "request to " + ctx.path() + " failed", e);
            json(ctx, 500, OpenAiJson.error(GatewayException.Kind.INTERNAL, String.valueOf(e.getMessage())));
        }
    }

    private static int status(GatewayException.Kind kind) {
        return switch (kind) {
            case BAD_REQUEST -> 400;
            case NOT_FOUND -> 404;
            case OVERLOADED -> 503;
            case INTERNAL -> 500;
        };
    }
}
