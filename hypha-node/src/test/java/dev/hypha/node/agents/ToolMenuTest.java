package dev.hypha.node.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.llm.JsonSchema;
import dev.hypha.ml.llm.SchemaConstraint;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The choice a model is held to: the offered tools' calls, with their argument schemas, or the final answer. */
class ToolMenuTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    private static ToolMenu menu(boolean requiredOnly) throws Exception {
        Map<String, Map.Entry<String, JsonNode>> offered = new LinkedHashMap<>();
        offered.put("generate", Map.entry("completes a prompt", json("""
                {"type":"object","properties":{"prompt":{"type":"string","minLength":1,"maxLength":8000},
                 "max_tokens":{"type":"integer","minimum":1,"maximum":512}},"required":["prompt"],
                 "additionalProperties":false}""")));
        offered.put("models", Map.entry("lists models", json("{\"type\":\"object\",\"properties\":{}}")));
        offered.put("lookup", Map.entry("untagged union", json("""
                {"type":"object","properties":{"key":{"anyOf":[{"type":"string"},{"type":"integer"}]}}}""")));
        return ToolMenu.of(offered, requiredOnly);
    }

    private static boolean allowed(ToolMenu m, boolean callRequired, String answer) {
        JsonSchema s = JsonSchema.parse(m.schema(callRequired));
        return SchemaConstraint.isComplete(s, answer.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void offersEachToolsCallWithItsArgumentsAndTheFinalAnswer() throws Exception {
        ToolMenu m = menu(false);
        assertThat(m.tools()).extracting(ToolMenu.Tool::name).containsExactly("generate", "models");
        assertThat(m.skipped()).singleElement().asString().startsWith("lookup (").contains("tagged union");
        assertThat(allowed(m, false, "{\"tool\":\"generate\",\"arguments\":{\"prompt\":\"hi\",\"max_tokens\":9}}")).isTrue();
        assertThat(allowed(m, false, "{\"tool\":\"models\",\"arguments\":{}}")).isTrue();
        assertThat(allowed(m, false, "{\"tool\":\"final_answer\",\"answer\":\"done\"}")).isTrue();
        // a required call leaves no final answer; arguments follow the chosen tool's schema, strings capped
        assertThat(allowed(m, true, "{\"tool\":\"final_answer\",\"answer\":\"done\"}")).isFalse();
        assertThat(allowed(m, false, "{\"tool\":\"generate\",\"arguments\":{}}")).isFalse();
        assertThat(allowed(m, false, "{\"tool\":\"generate\",\"arguments\":{\"prompt\":\"\"}}")).isFalse();
        assertThat(allowed(m, false, "{\"tool\":\"models\",\"arguments\":{\"prompt\":\"x\"}}")).isFalse();
        assertThat(allowed(m, false, "{\"tool\":\"generate\",\"arguments\":{\"prompt\":\"" + "x".repeat(65) + "\"}}")).isFalse();
        assertThat(allowed(m, false, "{\"tool\":\"lookup\",\"arguments\":{}}")).isFalse();
        assertThat(m.instructions(false)).isEqualTo("Answer with one JSON tool call. Tools: generate, models, final_answer (when done).");
    }

    @Test
    void requiredArgumentsOnlyLeavesOptionalOnesToTheToolsDefaults() throws Exception {
        ToolMenu m = menu(true);
        assertThat(allowed(m, true, "{\"tool\":\"generate\",\"arguments\":{\"prompt\":\"hi\"}}")).isTrue();
        assertThat(allowed(m, true, "{\"tool\":\"generate\",\"arguments\":{\"prompt\":\"hi\",\"max_tokens\":9}}")).isFalse();
    }

    @Test
    void readsTheChoiceAndRefusesWhatIsNotOnTheMenu() throws Exception {
        ToolMenu m = menu(false);
        assertThat(m.read("{\"tool\":\"generate\",\"arguments\":{\"prompt\":\"hi\"}}"))
                .isEqualTo(new ToolMenu.Call("generate", Map.of("prompt", "hi")));
        assertThat(m.read(" {\"tool\":\"final_answer\",\"answer\":\"42\"}")).isEqualTo(new ToolMenu.Answer("42"));
        assertThatThrownBy(() -> m.read("{\"tool\":\"generate\",\"arguments\":{\"prompt\":\"h"))
                .isInstanceOf(HyphaException.class).hasMessageContaining("not complete JSON");
        assertThatThrownBy(() -> m.read("{\"tool\":\"rm\",\"arguments\":{}}")).hasMessageContaining("calls no offered tool");
        assertThatThrownBy(() -> m.read("[]")).hasMessageContaining("names no tool");
        assertThatThrownBy(() -> ToolMenu.of(Map.of(), false).schema(true)).hasMessageContaining("no tool can be offered");
    }
}
