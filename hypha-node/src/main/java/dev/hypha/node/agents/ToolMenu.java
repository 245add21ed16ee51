package dev.hypha.node.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.llm.JsonSchema;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a model may answer in one turn of the agent loop: a call of one of the tools, with arguments following that
 * tool's schema, or (unless a call is required) the final answer. Written as one JSON Schema, a tagged union
 * {@code {"tool": NAME, "arguments": {...}}} / {@code {"tool": "final_answer", "answer": "..."}}, which the gateway's
 * constrained decoding ({@code response_format: json_schema}) holds the model to: whatever a model chooses, even a tiny
 * one that never learned to call tools, is a valid call ("function calling via constrained decoding").
 *
 * <p>A tool's own input schema is narrowed to what constrained decoding honours: keywords that only validate (numeric
 * bounds, patterns, formats) are left to the tool's server, which checks them anyway; every string is capped at
 * {@link #MAX_ARGUMENT_CHARS} characters, so a model cannot spend its whole answer inside one argument; a tool whose
 * schema still cannot be honoured (a union without a tag, say) is left out and named in {@link #skipped()}.
 */
public final class ToolMenu {
    /** The tag value of the final answer. */
    public static final String FINAL_ANSWER = "final_answer";
    /** Longest string argument (and answer) a model may write: the network's small models have small contexts. */
    public static final int MAX_ARGUMENT_CHARS = 64;
    /** Longest final answer. */
    public static final int MAX_ANSWER_CHARS = 200;

    /** Keywords kept from a tool's schema (constrained decoding honours them). */
    private static final Set<String> KEPT = Set.of("type", "properties", "required", "items", "enum", "const",
            "additionalProperties", "minItems", "maxItems", "minLength", "maxLength", "anyOf", "oneOf", "description",
            "title");

    /** A tool the model may call. */
    public record Tool(String name, String description, ObjectNode arguments) {}

    /** What the model chose: a call, or the final answer. */
    public sealed interface Choice {}

    /** Call {@code tool} with {@code arguments}. */
    public record Call(String tool, Map<String, Object> arguments) implements Choice {}

    /** The run's answer. */
    public record Answer(String text) implements Choice {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<Tool> tools;
    private final List<String> skipped;

    private ToolMenu(List<Tool> tools, List<String> skipped) {
        this.tools = List.copyOf(tools);
        this.skipped = List.copyOf(skipped);
    }

    /**
     * The menu of {@code offered} tools (name, description, input schema as JSON).
     *
     * @param requiredOnly offer only each tool's required arguments (optional ones take the tool's defaults)
     */
    public static ToolMenu of(Map<String, Map.Entry<String, JsonNode>> offered, boolean requiredOnly) {
        List<Tool> tools = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Map.Entry<String, Map.Entry<String, JsonNode>> e : offered.entrySet()) {
            String name = e.getKey();
            if (name.equals(FINAL_ANSWER)) {
                skipped.add(name + " (the name of the final answer)");
                continue;
            }
            ObjectNode args = narrow(e.getValue().getValue(), requiredOnly);
            try {
                JsonSchema.parse(args);
                tools.add(new Tool(name, e.getValue().getKey(), args));
            } catch (IllegalArgumentException ex) {
                skipped.add(name + " (" + ex.getMessage() + ")");
            }
        }
        return new ToolMenu(tools, skipped);
    }

    public List<Tool> tools() {
        return tools;
    }

    /** Tools left out, each with why. */
    public List<String> skipped() {
        return skipped;
    }

    /**
     * The schema of one answer: a call of a tool, or (when {@code callRequired} is false) the final answer.
     *
     * @throws HyphaException INPUT when a call is required and there is no tool to call
     */
    public ObjectNode schema(boolean callRequired) {
        if (callRequired && tools.isEmpty()) {
            throw HyphaException.input("a tool call is required but no tool can be offered to the model");
        }
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode any = root.putArray("anyOf");
        for (Tool t : tools) {
            ObjectNode o = any.addObject().put("type", "object");
            ObjectNode p = o.putObject("properties");
            p.putObject("tool").put("const", t.name());
            p.set("arguments", t.arguments());
            o.putArray("required").add("tool").add("arguments");
            o.put("additionalProperties", false);
        }
        if (!callRequired) {
            ObjectNode o = any.addObject().put("type", "object");
            ObjectNode p = o.putObject("properties");
            p.putObject("tool").put("const", FINAL_ANSWER);
            p.putObject("answer").put("type", "string").put("maxLength", MAX_ANSWER_CHARS);
            o.putArray("required").add("tool").add("answer");
            o.put("additionalProperties", false);
        }
        return root;
    }

    /**
     * Reads the model's answer (the JSON the schema held it to).
     *
     * @throws HyphaException INPUT naming what is wrong when the text is not one of the menu's choices (a model
     *                        outside constrained decoding, or an answer cut off by its token limit)
     */
    @SuppressWarnings("unchecked")
    public Choice read(String text) {
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw HyphaException.input("the model's answer is not complete JSON (cut off at its token limit?): "
                    + AgentLog.quote(text));
        }
        if (n == null || !n.isObject() || !n.path("tool").isTextual()) {
            throw HyphaException.input("the model's answer names no tool: " + AgentLog.quote(text));
        }
        String tool = n.get("tool").textValue();
        if (tool.equals(FINAL_ANSWER) && n.path("answer").isTextual()) {
            return new Answer(n.get("answer").textValue());
        }
        if (tools.stream().noneMatch(t -> t.name().equals(tool)) || !n.path("arguments").isObject()) {
            throw HyphaException.input("the model's answer calls no offered tool: " + AgentLog.quote(text));
        }
        return new Call(tool, JSON.convertValue(n.get("arguments"), LinkedHashMap.class));
    }

    /** A tool's schema narrowed to what decoding honours (see the class comment). */
    static ObjectNode narrow(JsonNode schema, boolean requiredOnly) {
        if (schema == null || !schema.isObject()) {
            return JsonNodeFactory.instance.objectNode().put("type", "object");
        }
        ObjectNode out = (ObjectNode) narrowNode(schema);
        if (!out.has("type")) {
            out.put("type", "object");
        }
        if (requiredOnly && out.path("properties").isObject()) {
            Set<String> required = new java.util.HashSet<>();
            out.path("required").forEach(r -> required.add(r.asText()));
            ObjectNode props = (ObjectNode) out.get("properties");
            props.properties().removeIf(p -> !required.contains(p.getKey()));
        }
        return out;
    }

    private static JsonNode narrowNode(JsonNode s) {
        if (!s.isObject()) {
            return s;
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!KEPT.contains(f.getKey()) || f.getValue().isNull()) {
                continue;
            }
            switch (f.getKey()) {
                case "properties" -> {
                    ObjectNode props = out.putObject("properties");
                    f.getValue().properties().forEach(p -> props.set(p.getKey(), narrowNode(p.getValue())));
                }
                case "items" -> out.set("items", narrowNode(f.getValue()));
                case "anyOf", "oneOf" -> {
                    ArrayNode alts = out.putArray(f.getKey());
                    f.getValue().forEach(a -> alts.add(narrowNode(a)));
                }
                case "additionalProperties" -> {
                    if (f.getValue().isBoolean()) {
                        out.set(f.getKey(), f.getValue());
                    }
                }
                default -> out.set(f.getKey(), f.getValue());
            }
        }
        if (isString(out)) {
            int max = out.path("maxLength").canConvertToInt() ? out.get("maxLength").intValue() : MAX_ARGUMENT_CHARS;
            out.put("maxLength", Math.max(0, Math.min(max, MAX_ARGUMENT_CHARS)));
            if (out.path("minLength").canConvertToInt() && out.get("minLength").intValue() > out.get("maxLength").intValue()) {
                out.put("minLength", out.get("maxLength").intValue());
            }
        }
        return out;
    }

    private static boolean isString(ObjectNode s) {
        JsonNode t = s.get("type");
        return t != null && (t.asText().equals("string") || (t.isArray() && t.toString().contains("\"string\"")))
                && !s.has("enum") && !s.has("const");
    }

    /** The model's instructions: which tools there are (names only: small models have small contexts). */
    public String instructions(boolean callRequired) {
        StringBuilder s = new StringBuilder("Answer with one JSON tool call. Tools: ");
        for (int i = 0; i < tools.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(tools.get(i).name());
        }
        if (!callRequired) {
            s.append(tools.isEmpty() ? "" : ", ").append(FINAL_ANSWER).append(" (when done)");
        }
        return s.append('.').toString();
    }

    /** The description of {@code tool}, if offered. */
    public Optional<Tool> tool(String name) {
        return tools.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
