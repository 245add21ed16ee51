package dev.hypha.node.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.ToolCall;
import java.nio.charset.StandardCharsets;

/**
 * The bytes a receipt's output hash covers for a generated answer, so everything the payer receives is bound by the
 * provider's signature, not only the text: a plain answer is its text in UTF-8 (what InferenceCoordinator's receipts
 * hash too); an answer with reasoning or tool calls is the UTF-8 of the compact JSON object
 * {@code {"content":TEXT,"thinking":REASONING,"tool_calls":[{"name":NAME,"arguments":OBJECT},...]}} in that key order,
 * each call's arguments as the parsed object written compactly (the form both sides reach from the text on the wire).
 * The provider hashes what it sends, the gateway what it read.
 */
public final class AnswerOutput {
    private AnswerOutput() {}

    /** The bytes of {@code c}'s output. */
    public static byte[] of(Completion c) {
        if (c.thinking().isEmpty() && c.toolCalls().isEmpty()) {
            return c.text().getBytes(StandardCharsets.UTF_8);
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("content", c.text());
        o.put("thinking", c.thinking());
        ArrayNode calls = o.putArray("tool_calls");
        for (ToolCall call : c.toolCalls()) {
            ObjectNode entry = calls.addObject().put("name", call.name());
            try {
                entry.set("arguments", JsonBody.MAPPER.readTree(call.arguments()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("tool call arguments are not JSON: " + e.getMessage(), e);
            }
        }
        return JsonBody.write(o);
    }
}
