package dev.hypha.node.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.Tool;
import dev.hypha.node.gateway.ToolCall;
import dev.hypha.node.gateway.http.Fields;
import dev.hypha.node.gateway.http.StructuredOutput;
import dev.hypha.node.gateway.http.ToolFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.LongSupplier;

/**
 * Parses OpenAI's {@code POST /v1/responses} (stateless, as Ollama serves it): {@code input} as a string or a list of
 * items (messages with text parts, {@code function_call} and {@code function_call_output}), {@code instructions},
 * {@code tools} in the Responses API's flat form ({@code {type: "function", name, parameters}}), {@code tool_choice},
 * {@code text.format} (text, json_object, json_schema), {@code max_output_tokens}, {@code temperature},
 * {@code top_p}, {@code top_logprobs} with {@code include: ["message.output_text.logprobs"]}. Nothing is stored, so
 * {@code previous_response_id} and {@code conversation} are refused by name, as are input kinds these models cannot
 * read (images, files).
 */
public final class ResponsesRequests {
    static final int MAX_ITEMS = 100_000;
    private static final String LOGPROBS = "message.output_text.logprobs";

    private final LongSupplier randomSeeds;

    public ResponsesRequests(LongSupplier randomSeeds) {
        this.randomSeeds = randomSeeds;
    }

    /**
     * A parsed request.
     *
     * @param call   the generation
     * @param stream whether to answer with server-sent events
     * @param echo   the request's settings the response object repeats (instructions, tools, tool_choice, text...)
     */
    public record Parsed(GenerateCall call, boolean stream, ObjectNode echo) {}

    public Parsed parse(ObjectNode body) {
        String model = Fields.requiredString(body, "model");
        for (String f : List.of("previous_response_id", "conversation")) {
            if (body.has(f) && !body.get(f).isNull()) {
                throw GatewayException.badRequest(f + " is not supported: this gateway stores no responses; send the "
                        + "whole conversation as input");
            }
        }
        if (body.has("background") && body.get("background").asBoolean(false)) {
            throw GatewayException.badRequest("background is not supported; leave it out or stream");
        }
        List<Prompt.Message> messages = new ArrayList<>();
        Fields.string(body, "instructions").ifPresent(i -> messages.add(new Prompt.Message("system", i)));
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) {
            throw GatewayException.badRequest("input is required: a string or a list of input items");
        }
        if (input.isTextual()) {
            messages.add(new Prompt.Message("user", input.textValue()));
        } else if (input.isArray()) {
            items((ArrayNode) input, messages);
        } else {
            throw Fields.wrongType("input", "a string or a list of input items", input);
        }
        if (messages.stream().noneMatch(m -> !m.role().equals("system"))) {
            throw GatewayException.badRequest("input has no message to answer");
        }
        List<Tool> tools = tools(body);
        Optional<String> required = Optional.empty();
        switch (toolChoice(body, tools)) {
            case ToolChoice.None none -> tools = List.of();
            case ToolChoice.Auto auto -> { }
            case ToolChoice.Named named -> required = Optional.of(named.name());
        }
        SamplingOptions s;
        try {
            s = new SamplingOptions((float) Fields.number(body, "temperature").orElse(1.0), 0,
                    (float) Fields.number(body, "top_p").orElse(1.0), 0f, 1.0f, 0f, 0f, 64, randomSeeds.getAsLong());
        } catch (IllegalArgumentException e) {
            throw GatewayException.badRequest(e.getMessage());
        }
        int maxTokens = Fields.intIn(body, "max_output_tokens", 1, Integer.MAX_VALUE).orElse(GenerateCall.UNLIMITED);
        GenerateCall.Format format = GenerateCall.Format.TEXT;
        Optional<String> schema = Optional.empty();
        ObjectNode textFormat = Fields.object(body, "text").flatMap(t -> Fields.object(t, "format"))
                .orElse(body.objectNode().put("type", "text"));
        String type = Fields.string(textFormat, "type").orElse("text");
        switch (type) {
            case "text" -> { }
            case "json_object" -> format = GenerateCall.Format.JSON;
            case "json_schema" -> {
                format = GenerateCall.Format.JSON;
                Fields.requiredString(textFormat, "name");
                ObjectNode sc = Fields.object(textFormat, "schema").orElseThrow(() -> GatewayException.badRequest(
                        "text.format.schema is required (a JSON Schema object)"));
                schema = StructuredOutput.schema(sc, "text.format.schema");
            }
            default -> throw GatewayException.badRequest("text.format.type must be text, json_object or json_schema; got \""
                    + type + "\"");
        }
        OptionalInt logprobs = OptionalInt.empty();
        JsonNode include = body.get("include");
        if (include != null && include.isArray()) {
            for (JsonNode i : include) {
                if (i.isTextual() && i.textValue().equals(LOGPROBS)) {
                    logprobs = OptionalInt.of(Fields.intIn(body, "top_logprobs", 0, GenerateCall.MAX_TOP_LOGPROBS).orElse(0));
                }
            }
        }
        boolean stream = Fields.bool(body, "stream").orElse(false);
        GenerateCall call = new GenerateCall(model, new Prompt.Chat(messages), s, maxTokens, List.of(), OptionalInt.empty(),
                KeepAlive.DEFAULT, format, schema, tools, logprobs, required);
        return new Parsed(call, stream, echo(body, textFormat));
    }

    /** Input items in order: messages, function calls (joined onto the assistant turn) and their outputs. */
    private static void items(ArrayNode input, List<Prompt.Message> out) {
        if (input.size() > MAX_ITEMS) {
            throw GatewayException.badRequest("input has " + input.size() + " items; at most " + MAX_ITEMS);
        }
        for (int i = 0; i < input.size(); i++) {
            String at = "input[" + i + "]";
            if (!(input.get(i) instanceof ObjectNode item)) {
                throw Fields.wrongType(at, "an input item object", input.get(i));
            }
            String type = Fields.string(item, "type").orElse("message");
            switch (type) {
                case "message" -> {
                    String role = Fields.string(item, "role").orElseThrow(() -> GatewayException.badRequest(at
                            + ".role is required"));
                    if (role.equals("developer")) {
                        role = "system";
                    }
                    if (!List.of("system", "user", "assistant").contains(role)) {
                        throw GatewayException.badRequest(at + ".role must be user, assistant, system or developer; got \""
                                + role + "\"");
                    }
                    out.add(new Prompt.Message(role, text(item.get("content"), at + ".content")));
                }
                case "function_call" -> {
                    String name = Fields.requiredString(item, "name");
                    String callId = Fields.requiredString(item, "call_id");
                    String args = Fields.string(item, "arguments").orElse("{}");
                    ObjectNode asCall = item.objectNode();
                    asCall.put("id", callId).putObject("function").put("name", name).put("arguments", args);
                    ObjectNode holder = item.objectNode();
                    holder.putArray("tool_calls").add(asCall);
                    ToolCall call = ToolFields.calls(holder, at).getFirst();
                    // consecutive calls belong to one assistant turn, as chat templates expect them
                    Prompt.Message last = out.isEmpty() ? null : out.getLast();
                    if (last != null && last.role().equals("assistant") && !last.toolCalls().isEmpty()) {
                        List<ToolCall> calls = new ArrayList<>(last.toolCalls());
                        calls.add(call);
                        out.set(out.size() - 1, new Prompt.Message("assistant", last.content(), calls, "", ""));
                    } else {
                        out.add(new Prompt.Message("assistant", "", List.of(call), "", ""));
                    }
                }
                case "function_call_output" -> {
                    String callId = Fields.requiredString(item, "call_id");
                    JsonNode output = item.get("output");
                    String text = output != null && output.isTextual() ? output.textValue() : text(output, at + ".output");
                    out.add(new Prompt.Message("tool", text, List.of(), toolName(out, callId), callId));
                }
                default -> throw GatewayException.badRequest(at + " is of type \"" + type + "\"; these models read "
                        + "messages, function_call and function_call_output items only");
            }
        }
    }

    private static String toolName(List<Prompt.Message> before, String callId) {
        for (int i = before.size() - 1; i >= 0; i--) {
            for (ToolCall c : before.get(i).toolCalls()) {
                if (c.id().equals(callId)) {
                    return c.name();
                }
            }
        }
        return "";
    }

    /** Content as a string or a list of text parts (input_text, output_text). */
    private static String text(JsonNode n, String at) {
        if (n == null || n.isNull()) {
            return "";
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (!n.isArray()) {
            throw Fields.wrongType(at, "a string or a list of content parts", n);
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n.size(); i++) {
            if (!(n.get(i) instanceof ObjectNode part)) {
                throw Fields.wrongType(at + "[" + i + "]", "a content part object", n.get(i));
            }
            String type = Fields.string(part, "type").orElse("");
            if (!type.equals("input_text") && !type.equals("output_text")) {
                throw GatewayException.badRequest(at + "[" + i + "] is of type \"" + type
                        + "\"; this model reads text parts only");
            }
            b.append(Fields.requiredString(part, "text"));
        }
        return b.toString();
    }

    /** The flat function tools of the Responses API, read as the chat form's. */
    private static List<Tool> tools(ObjectNode body) {
        JsonNode n = body.get("tools");
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw Fields.wrongType("tools", "a list of tools", n);
        }
        ObjectNode asChat = body.objectNode();
        ArrayNode list = asChat.putArray("tools");
        for (int i = 0; i < n.size(); i++) {
            if (!(n.get(i) instanceof ObjectNode t)) {
                throw Fields.wrongType("tools[" + i + "]", "a tool object", n.get(i));
            }
            String type = Fields.string(t, "type").orElse("function");
            if (!type.equals("function")) {
                throw GatewayException.badRequest("tools[" + i + "] is of type \"" + type + "\"; only function tools "
                        + "are supported");
            }
            ObjectNode f = list.addObject().put("type", "function").putObject("function");
            f.set("name", t.get("name"));
            f.set("description", t.get("description"));
            f.set("parameters", t.get("parameters"));
        }
        return ToolFields.tools(asChat);
    }

    /** tool_choice in the flat form: a string, or {@code {type: "function", name}}. */
    private static ToolChoice toolChoice(ObjectNode body, List<Tool> tools) {
        JsonNode c = body.get("tool_choice");
        if (c instanceof ObjectNode o && o.has("name") && !o.has("function")) {
            ObjectNode chat = body.objectNode();
            chat.putObject("tool_choice").put("type", "function").putObject("function").set("name", o.get("name"));
            return ToolChoice.of(chat, tools);
        }
        return ToolChoice.of(body, tools);
    }

    /** What the response repeats of the request. */
    private static ObjectNode echo(ObjectNode body, ObjectNode textFormat) {
        ObjectNode e = body.objectNode();
        e.set("instructions", body.has("instructions") ? body.get("instructions") : e.nullNode());
        e.set("max_output_tokens", body.has("max_output_tokens") ? body.get("max_output_tokens") : e.nullNode());
        e.set("metadata", body.has("metadata") && body.get("metadata").isObject() ? body.get("metadata") : e.objectNode());
        e.put("temperature", Fields.number(body, "temperature").orElse(1.0));
        e.put("top_p", Fields.number(body, "top_p").orElse(1.0));
        e.set("tool_choice", body.has("tool_choice") ? body.get("tool_choice") : e.textNode("auto"));
        ArrayNode tools = e.putArray("tools");
        JsonNode t = body.get("tools");
        if (t != null && t.isArray()) {
            for (JsonNode tool : t) {
                ObjectNode copy = ((ObjectNode) tool).deepCopy();
                if (!copy.has("strict")) {
                    copy.put("strict", false);
                }
                if (!copy.has("parameters")) {
                    copy.putObject("parameters").put("type", "object");
                }
                tools.add(copy);
            }
        }
        e.putObject("text").set("format", textFormat);
        e.put("parallel_tool_calls", Fields.bool(body, "parallel_tool_calls").orElse(true));
        return e;
    }
}
