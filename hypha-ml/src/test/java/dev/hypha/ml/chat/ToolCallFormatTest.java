package dev.hypha.ml.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tool-call formats learned from real templates, and answers split by them. */
class ToolCallFormatTest {

    private static String resource(String name) throws IOException {
        try (InputStream in = ToolCallFormatTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void qwenWritesCallsInToolCallTags() throws IOException {
        ToolCallFormat f = ToolCallFormat.of(ChatTemplate.of(resource("qwen25-math.jinja"), "", "<|im_end|>")).orElseThrow();
        assertThat(f.prefix()).isEqualTo("<tool_call>");
        assertThat(f.argumentsKey()).isEqualTo("arguments");
        ToolCallFormat.Split s = f.split("Let me look.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
                + "{\"city\": \"Oslo\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"now\", \"arguments\": \"{}\"}\n</tool_call>");
        assertThat(s.content()).isEqualTo("Let me look.");
        assertThat(s.calls()).containsExactly(new ToolCallFormat.Call("get_weather", "{\"city\":\"Oslo\"}"),
                new ToolCallFormat.Call("now", "{}"));
    }

    @Test
    void malformedCallsAreText() throws IOException {
        ToolCallFormat f = ToolCallFormat.of(ChatTemplate.of(resource("qwen25-math.jinja"), "", "<|im_end|>")).orElseThrow();
        for (String text : List.of("<tool_call>{\"name\": ", "<tool_call>[1]", "<tool_call>{\"arguments\": {}}", "plain")) {
            assertThat(f.split(text)).isEqualTo(new ToolCallFormat.Split(text, List.of()));
        }
    }

    @Test
    void bareJsonCallsAndParameterKeys() {
        ToolCallFormat f = new ToolCallFormat("", "parameters");
        ToolCallFormat.Split s = f.split(" {\"name\": \"f\", \"parameters\": {\"x\": 1}}");
        assertThat(s.calls()).containsExactly(new ToolCallFormat.Call("f", "{\"x\":1}"));
        assertThat(f.split("Sure: {\"name\": \"f\"}").calls()).isEmpty(); // bare calls open the answer
    }

    @Test
    void templatesWithoutToolsHaveNoFormat() {
        assertThat(ToolCallFormat.of(ChatTemplate.of(BuiltinTemplates.chatMl(), "", ""))).isEmpty();
    }
}
