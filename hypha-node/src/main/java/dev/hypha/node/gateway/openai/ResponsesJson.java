package dev.hypha.node.gateway.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.ToolCall;
import dev.hypha.node.gateway.http.Logprobs;

/**
 * The Responses API's objects: the {@code response} (status, output items, usage, and the settings it ran with) and
 * its output items, a {@code message} with one {@code output_text} part and one {@code function_call} per tool call.
 */
final class ResponsesJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ResponsesJson() {
    }

    /**
     * A response; {@code c} null while it is in progress (no output or usage yet).
     *
     * @param ids the ids of its items: {@code msg_<base>} for the message, {@code fc_<base>_<i>} for calls
     */
    static ObjectNode response(String id, long created, String model, ObjectNode echo, Completion c, String ids) {
        ObjectNode o = JSON.objectNode().put("id", id).put("object", "response").put("created_at", created);
        boolean incomplete = c != null && c.doneReason() == Completion.DoneReason.LENGTH && c.toolCalls().isEmpty();
        o.put("status", c == null ? "in_progress" : incomplete ? "incomplete" : "completed");
        if (c != null) {
            o.put("completed_at", created);
        }
        o.putNull("error");
        if (incomplete) {
            o.putObject("incomplete_details").put("reason", "max_output_tokens");
        } else {
            o.putNull("incomplete_details");
        }
        o.put("model", model);
        ArrayNode output = o.putArray("output");
        if (c != null) {
            if (!c.text().isEmpty() || c.toolCalls().isEmpty()) {
                output.add(message(ids, c.text(), c, "completed"));
            }
            for (int i = 0; i < c.toolCalls().size(); i++) {
                output.add(functionCall(ids, i, c.toolCalls().get(i), "completed"));
            }
        }
        o.setAll(echo);
        o.putNull("previous_response_id");
        o.put("store", false).put("truncation", "disabled").put("background", false);
        if (c == null) {
            o.putNull("usage");
        } else {
            ObjectNode u = o.putObject("usage").put("input_tokens", c.promptTokens());
            u.putObject("input_tokens_details").put("cached_tokens", 0);
            u.put("output_tokens", c.generatedTokens());
            u.putObject("output_tokens_details").put("reasoning_tokens", 0);
            u.put("total_tokens", c.promptTokens() + c.generatedTokens());
        }
        return o;
    }

    static String messageId(String ids) {
        return "msg_" + ids;
    }

    static String callId(String ids, int i) {
        return "fc_" + ids + "_" + i;
    }

    /** The assistant's message item; {@code c} supplies log-probabilities (may be null: none). */
    static ObjectNode message(String ids, String text, Completion c, String status) {
        ObjectNode m = JSON.objectNode().put("id", messageId(ids)).put("type", "message").put("status", status)
                .put("role", "assistant");
        ArrayNode content = m.putArray("content");
        if (status.equals("completed")) {
            content.add(outputText(text, c));
        }
        return m;
    }

    /** An {@code output_text} part. */
    static ObjectNode outputText(String text, Completion c) {
        ObjectNode p = JSON.objectNode().put("type", "output_text").put("text", text);
        p.putArray("annotations");
        p.set("logprobs", c == null ? JSON.arrayNode() : Logprobs.entries(c.logprobs()));
        return p;
    }

    /** A function call item; arguments "" while in progress. */
    static ObjectNode functionCall(String ids, int i, ToolCall call, String status) {
        return JSON.objectNode().put("id", callId(ids, i)).put("type", "function_call").put("status", status)
                .put("call_id", call.id()).put("name", call.name())
                .put("arguments", status.equals("completed") ? call.arguments() : "");
    }
}
