package dev.hypha.node.gateway.openai;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerationCancelledException;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.http.JsonBody;
import dev.hypha.node.gateway.http.ResponseStream;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;

/**
 * Answers one {@code /v1/responses} request: one response object, or the Responses API's event stream
 * ({@code response.created}, {@code response.in_progress}, the message item with its {@code output_text.delta}s,
 * each function call with its arguments, {@code response.completed}), each event numbered. An error after the stream
 * began is an {@code error} event, as OpenAI sends it.
 */
final class ResponsesHandler {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final InferenceBackend backend;

    ResponsesHandler(InferenceBackend backend) {
        this.backend = backend;
    }

    void answer(Context ctx, ResponsesRequests.Parsed parsed, String id, String ids, long created) {
        String model = parsed.call().model();
        if (!parsed.stream()) {
            Completion c = backend.generate(parsed.call(), TextSink.DISCARD);
            ctx.status(200).contentType("application/json; charset=utf-8")
                    .result(JsonBody.write(ResponsesJson.response(id, created, model, parsed.echo(), c, ids)));
            return;
        }
        Events events = new Events(ctx);
        StringBuilder text = new StringBuilder();
        boolean[] messageOpen = {false};
        TextSink sink = piece -> {
            events.startIfNeeded(id, created, model, parsed);
            if (!messageOpen[0]) {
                openMessage(events, ids);
                messageOpen[0] = true;
            }
            text.append(piece);
            events.send("response.output_text.delta", part(ids).put("delta", piece).set("logprobs", JSON.arrayNode()));
        };
        Completion c;
        try {
            c = backend.generate(parsed.call(), sink);
        } catch (GenerationCancelledException e) {
            return;
        } catch (RuntimeException e) {
            if (!events.started()) {
                throw e;
            }
            GatewayException.Kind kind = e instanceof GatewayException g ? g.kind() : GatewayException.Kind.INTERNAL;
            events.last("error", JSON.objectNode().put("code", kind == GatewayException.Kind.BAD_REQUEST
                    ? "invalid_request_error" : "server_error").put("message", String.valueOf(e.getMessage())).putNull("param"));
            return;
        }
        events.startIfNeeded(id, created, model, parsed);
        int index = 0;
        if (messageOpen[0] || !c.text().isEmpty() || c.toolCalls().isEmpty()) {
            if (!messageOpen[0]) {
                openMessage(events, ids);
            }
            ObjectNode done = ResponsesJson.outputText(c.text(), c);
            events.send("response.output_text.done", part(ids).put("text", c.text()).set("logprobs", done.get("logprobs")));
            events.send("response.content_part.done", part(ids).set("part", done));
            events.send("response.output_item.done", JSON.objectNode().put("output_index", 0)
                    .set("item", ResponsesJson.message(ids, c.text(), c, "completed")));
            index = 1;
        }
        for (int i = 0; i < c.toolCalls().size(); i++, index++) {
            var call = c.toolCalls().get(i);
            String itemId = ResponsesJson.callId(ids, i);
            events.send("response.output_item.added", JSON.objectNode().put("output_index", index)
                    .set("item", ResponsesJson.functionCall(ids, i, call, "in_progress")));
            events.send("response.function_call_arguments.delta", JSON.objectNode().put("item_id", itemId)
                    .put("output_index", index).put("delta", call.arguments()));
            events.send("response.function_call_arguments.done", JSON.objectNode().put("item_id", itemId)
                    .put("output_index", index).put("name", call.name()).put("arguments", call.arguments()));
            events.send("response.output_item.done", JSON.objectNode().put("output_index", index)
                    .set("item", ResponsesJson.functionCall(ids, i, call, "completed")));
        }
        ObjectNode finished = ResponsesJson.response(id, created, model, parsed.echo(), c, ids);
        events.last(finished.get("status").asText().equals("incomplete") ? "response.incomplete" : "response.completed",
                JSON.objectNode().set("response", finished));
    }

    private static void openMessage(Events events, String ids) {
        events.send("response.output_item.added", JSON.objectNode().put("output_index", 0)
                .set("item", ResponsesJson.message(ids, "", null, "in_progress")));
        ObjectNode empty = JSON.objectNode().put("type", "output_text").put("text", "");
        empty.putArray("annotations");
        empty.putArray("logprobs");
        events.send("response.content_part.added", part(ids).set("part", empty));
    }

    /** The fields every event about the message's text part carries. */
    private static ObjectNode part(String ids) {
        return JSON.objectNode().put("item_id", ResponsesJson.messageId(ids)).put("output_index", 0).put("content_index", 0);
    }

    /** Server-sent events of the Responses API: {@code event: TYPE} and the JSON with its type and sequence number. */
    private static final class Events {
        private final Context ctx;
        private ResponseStream stream;
        private int sequence;

        Events(Context ctx) {
            this.ctx = ctx;
        }

        boolean started() {
            return stream != null;
        }

        /** Opens the stream with created and in_progress (the stream starts with the first token, not before). */
        void startIfNeeded(String id, long created, String model, ResponsesRequests.Parsed parsed) {
            if (stream != null) {
                return;
            }
            stream = new ResponseStream(ctx, "text/event-stream");
            ObjectNode r = ResponsesJson.response(id, created, model, parsed.echo(), null, "");
            send("response.created", JSON.objectNode().set("response", r));
            send("response.in_progress", JSON.objectNode().set("response", r));
        }

        void send(String type, ObjectNode data) {
            stream.write(format(type, data));
        }

        void last(String type, ObjectNode data) {
            stream.writeLast(format(type, data));
        }

        private String format(String type, ObjectNode data) {
            ObjectNode o = JSON.objectNode().put("type", type);
            o.setAll(data);
            o.put("sequence_number", sequence++);
            return "event: " + type + "\ndata: " + new String(JsonBody.write(o), StandardCharsets.UTF_8) + "\n\n";
        }
    }
}
