package dev.hypha.ml.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.gguf.GgufWriter;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.testmodel.TestVocabularies.BpeStyle;
import dev.hypha.ml.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real model templates rendered with the conversation of llama.cpp's test-chat-template.cpp; expected strings are that
 * test's Jinja expectations (see src/test/resources/dev/hypha/ml/chat/SOURCES.md).
 */
class ChatTemplateTest {
    static final List<ChatMessage> CONVERSATION = List.of(
            new ChatMessage("system", "You are a helpful assistant"),
            new ChatMessage("user", "Hello"),
            new ChatMessage("assistant", "Hi there"),
            new ChatMessage("user", "Who are you"),
            new ChatMessage("assistant", "   I am an assistant   "),
            new ChatMessage("user", "Another question"));
    static final List<ChatMessage> NO_SYSTEM = CONVERSATION.subList(1, CONVERSATION.size());

    static String resource(String name) {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new AssertionError("missing test template " + name, e);
        }
    }

    @Test
    void chatMl() {
        assertThat(ChatTemplate.of(BuiltinTemplates.chatMl(), "", "").render(CONVERSATION, true)).isEqualTo(
                "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n"
                        + "<|im_start|>assistant\nHi there<|im_end|>\n<|im_start|>user\nWho are you<|im_end|>\n"
                        + "<|im_start|>assistant\n   I am an assistant   <|im_end|>\n<|im_start|>user\nAnother question<|im_end|>\n"
                        + "<|im_start|>assistant\n");
        assertThat(ChatTemplate.of(BuiltinTemplates.chatMl(), "", "").render(NO_SYSTEM.subList(0, 1), false))
                .isEqualTo("<|im_start|>user\nHello<|im_end|>\n");
    }

    @Test
    void llama3TrimFilterBindsTighterThanPlus() {
        assertThat(ChatTemplate.of(BuiltinTemplates.llama3(), "", "").render(CONVERSATION, true)).isEqualTo(
                "<|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nWho are you<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\nI am an assistant<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nAnother question<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n");
        assertThat(ChatTemplate.of(BuiltinTemplates.llama3(), "<|begin_of_text|>", "").render(NO_SYSTEM.subList(0, 1), true))
                .startsWith("<|begin_of_text|><|start_header_id|>user");
        assertThat(ChatTemplate.of(BuiltinTemplates.llama3(), "<|begin_of_text|>", "").render(NO_SYSTEM.subList(0, 1), false))
                .isEqualTo("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>");
    }

    @Test
    void zephyrNeedsTrimBlocks() {
        assertThat(ChatTemplate.of(BuiltinTemplates.zephyr(), "<s>", "</s>").render(CONVERSATION.subList(0, 3), true))
                .isEqualTo("<|system|>\nYou are a helpful assistant</s>\n<|user|>\nHello</s>\n<|assistant|>\nHi there</s>\n"
                        + "<|assistant|>\n");
    }

    @Test
    void mistralV1SystemMessageIsDefinedAndSlicing() {
        assertThat(ChatTemplate.of(resource("mistral-v1.jinja"), "", "</s>").render(CONVERSATION, true)).isEqualTo(
                " [INST] You are a helpful assistant\n\nHello [/INST] Hi there</s> [INST] Who are you [/INST]    I am an"
                        + " assistant   </s> [INST] Another question [/INST]");
    }

    @Test
    void llama2StyleWithStripAndInOperator() {
        assertThat(ChatTemplate.of(resource("vigogne-llama2.jinja"), "", "</s>").render(CONVERSATION, true)).isEqualTo(
                "[INST] <<SYS>>\nYou are a helpful assistant\n<</SYS>>\n\nHello [/INST] Hi there </s>[INST] Who are you"
                        + " [/INST] I am an assistant </s>[INST] Another question [/INST]");
        // without a system message the template's default one is used (not '<<SYS>>' in content)
        assertThat(ChatTemplate.of(resource("vigogne-llama2.jinja"), "", "</s>").render(NO_SYSTEM.subList(0, 1), true))
                .startsWith("[INST] <<SYS>>\nVous êtes Vigogne");
    }

    @Test
    void pythonTitleMethod() {
        assertThat(ChatTemplate.of(resource("openchat.jinja"), "", "").render(CONVERSATION, true)).isEqualTo(
                "GPT4 Correct System: You are a helpful assistant<|end_of_turn|>GPT4 Correct User: Hello<|end_of_turn|>"
                        + "GPT4 Correct Assistant: Hi there<|end_of_turn|>GPT4 Correct User: Who are you<|end_of_turn|>"
                        + "GPT4 Correct Assistant:    I am an assistant   <|end_of_turn|>GPT4 Correct User: Another question"
                        + "<|end_of_turn|>GPT4 Correct Assistant:");
    }

    @Test
    void commandR() {
        assertThat(ChatTemplate.of(resource("command-r.jinja"), "", "").render(CONVERSATION, true)).isEqualTo(
                "<|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|>You are a helpful assistant<|END_OF_TURN_TOKEN|>"
                        + "<|START_OF_TURN_TOKEN|><|USER_TOKEN|>Hello<|END_OF_TURN_TOKEN|>"
                        + "<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>Hi there<|END_OF_TURN_TOKEN|>"
                        + "<|START_OF_TURN_TOKEN|><|USER_TOKEN|>Who are you<|END_OF_TURN_TOKEN|>"
                        + "<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>I am an assistant<|END_OF_TURN_TOKEN|>"
                        + "<|START_OF_TURN_TOKEN|><|USER_TOKEN|>Another question<|END_OF_TURN_TOKEN|>"
                        + "<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>");
    }

    @Test
    void namespaceAndWhitespaceControl() {
        assertThat(ChatTemplate.of(resource("deepseek-coder.jinja"), "", "").render(CONVERSATION, true)).isEqualTo(
                "You are a helpful assistant### Instruction:\nHello\n### Response:\nHi there\n<|EOT|>\n### Instruction:\n"
                        + "Who are you\n### Response:\n   I am an assistant   \n<|EOT|>\n### Instruction:\nAnother question\n"
                        + "### Response:\n");
    }

    @Test
    void loopLast() {
        assertThat(ChatTemplate.of(resource("granite3.jinja"), "", "").render(CONVERSATION.subList(0, 2), true)).isEqualTo(
                "<|start_of_role|>system<|end_of_role|>You are a helpful assistant<|end_of_text|>\n"
                        + "<|start_of_role|>user<|end_of_role|>Hello<|end_of_text|>\n<|start_of_role|>assistant<|end_of_role|>");
    }

    @Test
    void qwen25TemplateWithDefaultSystemPromptAndToolResponses() {
        ChatTemplate t = ChatTemplate.of(resource("qwen25-math.jinja"), "", "<|im_end|>");
        assertThat(t.render(CONVERSATION.subList(0, 3), true)).isEqualTo(
                "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n"
                        + "<|im_start|>assistant\nHi there<|im_end|>\n<|im_start|>assistant\n");
        assertThat(t.render(NO_SYSTEM.subList(0, 1), true)).isEqualTo(
                "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n"
                        + "<|im_start|>assistant\n");
        // consecutive tool results share one user turn (messages[loop.index0 - 1] / [+ 1] look-arounds)
        assertThat(t.render(List.of(new ChatMessage("user", "Weather?"), new ChatMessage("tool", "sunny"),
                new ChatMessage("tool", "22C")), false)).isEqualTo(
                "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWeather?<|im_end|>\n"
                        + "<|im_start|>user\n<tool_response>\nsunny\n</tool_response>\n<tool_response>\n22C\n</tool_response>"
                        + "<|im_end|>\n");
    }

    @Test
    void extraVariablesSuchAsToolsReachTheTemplate() {
        ChatTemplate t = ChatTemplate.of(resource("qwen25-math.jinja"), "", "<|im_end|>");
        Map<String, Object> tool = Map.of("type", "function", "function", new java.util.LinkedHashMap<>(Map.of("name", "now")));
        String out = t.render(NO_SYSTEM.subList(0, 1), true, Map.of("tools", List.of(tool), "add_generation_prompt", false));
        assertThat(out).startsWith("<|im_start|>system\nA conversation between User and Assistant.")
                .contains("<tools>\n{\"").contains("\"name\": \"now\"").endsWith("<|im_start|>assistant\n");
    }

    @Test
    void raiseExceptionBecomesAClearError() {
        assertThatThrownBy(() -> ChatTemplate.of(resource("mistral-v02.jinja"), "", "</s>").render(CONVERSATION, true))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessage("chat template raised an exception: Conversation roles must alternate user/assistant/user/assistant/...");
        assertThatThrownBy(() -> ChatTemplate.of(resource("gemma.jinja"), "", "").render(CONVERSATION, true))
                .hasMessageContaining("System role not supported");
        assertThat(ChatTemplate.of(resource("gemma.jinja"), "", "").render(NO_SYSTEM.subList(0, 1), true))
                .isEqualTo("<start_of_turn>user\nHello<end_of_turn>\n<start_of_turn>model\n");
    }

    @Test
    void strftimeNowUsesTheInjectedClock() {
        Clock clock = Clock.fixed(Instant.parse("2026-07-04T10:15:30Z"), ZoneOffset.UTC);
        ChatTemplate t = ChatTemplate.of("Today Date: {{ strftime_now('%d %b %Y') }} {{ strftime_now('%A %H:%M') }}", "", "")
                .withClock(clock);
        assertThat(t.render(List.of(), false)).isEqualTo("Today Date: 04 Jul 2026 Saturday 10:15");
    }

    @Test
    void tojsonWritesPythonStyleJson() {
        ChatTemplate t = ChatTemplate.of("{{ messages[0] | tojson }}|{{ messages | tojson(indent=2) }}", "", "");
        assertThat(t.render(List.of(new ChatMessage("user", "a \"q\"\n")), false)).isEqualTo(
                "{\"role\": \"user\", \"content\": \"a \\\"q\\\"\\n\"}|[\n  {\n    \"role\": \"user\",\n"
                        + "    \"content\": \"a \\\"q\\\"\\n\"\n  }\n]");
        assertThat(PythonJson.dumps(Map.of(), 0)).isEqualTo("{}");
        assertThat(PythonJson.dumps(List.of(1, true, "é"), 0)).isEqualTo("[1, true, \"é\"]");
    }

    @Test
    void pythonStringMethodsInsideTagsOnly() {
        ChatTemplate t = ChatTemplate.of(
                "x.upper() {{ messages[0]['content'].upper() }} {% if messages[0]['content'].startswith('He') %}S{% endif %}"
                        + "{% if messages[0]['content'].endswith('lo ') %}E{% endif %} [{{ messages[0]['content'].rstrip() }}]"
                        + "[{{ messages[0]['content'].lstrip() }}] {{ messages[0]['role'].capitalize() }}", "", "");
        assertThat(t.render(List.of(new ChatMessage("user", "Hello ")), false))
                .isEqualTo("x.upper() HELLO SE [Hello][Hello ] User");
    }

    @Test
    void hostileTemplatesAreBounded() {
        // unbounded recursion and runaway output end in a clear error, not a stack overflow or an out-of-memory
        assertThatThrownBy(() -> ChatTemplate.of("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "", "")
                .render(List.of(), false)).isInstanceOf(ChatTemplateException.class);
        String big = "{% for i in range(1000) %}{% for j in range(1000) %}{{ messages[0]['content'] }}{% endfor %}{% endfor %}";
        assertThatThrownBy(() -> ChatTemplate.of(big, "", "").render(List.of(new ChatMessage("user", "x".repeat(100))), false))
                .isInstanceOf(ChatTemplateException.class);
    }

    @Test
    void invalidTemplatesFailClearly() {
        assertThatThrownBy(() -> ChatTemplate.of("{% for m in messages %}{{ m.role }}", "", "").render(CONVERSATION, true))
                .isInstanceOf(ChatTemplateException.class).hasMessageContaining("failed to render");
    }

    @Test
    void modelTemplateFromGgufAndChatMlFallback() {
        var vocab = TestVocabularies.byteLevelBpe(600, BpeStyle.QWEN2);
        byte[] image = vocab.writeTo(new GgufWriter().put("general.architecture", "qwen2")).toByteArray();
        try (GgufFile g = GgufFile.parse(image, "qwen")) {
            ChatTemplate t = ChatTemplate.fromGguf(g);
            assertThat(t.isFallback()).isFalse();
            String prompt = t.render(NO_SYSTEM.subList(0, 1), true);
            assertThat(prompt).isEqualTo("<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n");
            Tokenizer tok = Tokenizer.fromGguf(g);
            int[] ids = tok.encode(prompt, true, true);
            assertThat(tok.tokenText(ids[0])).isEqualTo("<|im_start|>");
        }
        var spm = TestVocabularies.sentencePiece(1000);
        GgufWriter w = new GgufWriter().put("general.architecture", "llama");
        new dev.hypha.ml.tokenizer.TokenizerConfig(spm.model(), spm.pre(), spm.tokens(), spm.scores(), spm.tokenTypes(),
                spm.merges(), spm.bos(), spm.eos(), spm.unk(), spm.pad(), spm.eot(), spm.addBos(), spm.addEos(),
                spm.addSpacePrefix(), java.util.Optional.empty()).writeTo(w);
        try (GgufFile g = GgufFile.parse(w.toByteArray(), "no-template")) {
            ChatTemplate t = ChatTemplate.fromGguf(g);
            assertThat(t.isFallback()).isTrue();
            assertThat(t.render(NO_SYSTEM.subList(0, 1), true)).startsWith("<|im_start|>user\nHello");
        }
    }
}
