package dev.hypha.node.gateway.pull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerationCancelledException;
import dev.hypha.node.gateway.http.Fields;
import dev.hypha.node.gateway.http.JsonBody;
import dev.hypha.node.gateway.http.ResponseStream;
import dev.hypha.node.http.ApiRoutes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Ollama's {@code POST /api/pull} ({@code {"model": NAME or content id, "stream": true|false}}): a stream of progress
 * lines ({@link PullStatus}) ending with {@code {"status":"success"}}, or with {@code {"stream": false}} only the last
 * one. Errors are {@code {"error": "..."}}: with their status code (400, 404, 502, 503, 507) while nothing has been
 * streamed, else as the stream's last line (the status is 200 by then), as Ollama sends them. In local-only mode the
 * route exists and says why it does not pull.
 */
public final class PullRoutes implements ApiRoutes {
    /** Longest model name or content id accepted. */
    static final int MAX_MODEL_TEXT = 512;
    private static final System.Logger LOG = System.getLogger(PullRoutes.class.getName());

    private final Optional<Puller> puller;

    private PullRoutes(Optional<Puller> puller) {
        this.puller = puller;
    }

    /** Pulls from the network with {@code puller}. */
    public static PullRoutes network(Puller puller) {
        return new PullRoutes(Optional.of(puller));
    }

    /** A gateway that never reaches the network: every pull is refused, saying how to add a model instead. */
    public static PullRoutes localOnly() {
        return new PullRoutes(Optional.empty());
    }

    @Override
    public void addTo(Javalin api) {
        api.post("/api/pull", this::pull);
    }

    private void pull(Context ctx) {
        String model;
        boolean stream;
        try {
            ObjectNode body = JsonBody.read(ctx.bodyInputStream());
            model = Fields.string(body, "model").or(() -> Fields.string(body, "name"))
                    .filter(m -> !m.isBlank())
                    .orElseThrow(() -> GatewayException.badRequest("model is required"));
            if (model.length() > MAX_MODEL_TEXT) {
                throw GatewayException.badRequest("model is longer than " + MAX_MODEL_TEXT + " characters");
            }
            stream = Fields.bool(body, "stream").orElse(true);
        } catch (GatewayException e) {
            json(ctx, 400, error(e.getMessage()));
            return;
        }
        if (puller.isEmpty()) {
            json(ctx, 503, error("this gateway runs local-only and never fetches models from the network; add one "
                    + "with `hypha model import FILE.gguf --name NAME`, or run with the network (hypha up, hypha "
                    + "gateway --network) to pull it"));
            return;
        }
        ResponseStream[] out = {null};
        PullStatus[] last = {null};
        PullStatus.Listener listener = status -> {
            last[0] = status;
            if (stream) {
                if (out[0] == null) out[0] = new ResponseStream(ctx, "application/x-ndjson");
                out[0].write(line(json(status)));
            }
        };
        try {
            puller.get().pull(model, listener);
            if (!stream) json(ctx, 200, json(last[0]));
        } catch (GenerationCancelledException gone) {
            // the client left; what was fetched is journalled and a new pull resumes from it
        } catch (PullException e) {
            failed(ctx, out[0], e.status(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "pull of " + model + " failed", e);
            failed(ctx, out[0], 500, e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
        }
    }

    private static void failed(Context ctx, ResponseStream out, int status, String message) {
        if (out == null) json(ctx, status, error(message));
        else out.writeLast(line(error(message)));
    }

    static ObjectNode json(PullStatus s) {
        ObjectNode o = JsonBody.MAPPER.createObjectNode().put("status", s.status());
        if (s.digest() != null) {
            o.put("digest", s.digest()).put("total", s.total()).put("completed", s.completed());
        }
        return o;
    }

    private static ObjectNode error(String message) {
        return JsonBody.MAPPER.createObjectNode().put("error", message);
    }

    private static String line(ObjectNode o) {
        return new String(JsonBody.write(o), StandardCharsets.UTF_8) + "\n";
    }

    private static void json(Context ctx, int status, ObjectNode body) {
        ctx.status(status).contentType("application/json; charset=utf-8").result(JsonBody.write(body));
    }
}
