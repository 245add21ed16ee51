package dev.hypha.ml.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Chat templates come from model files, so they are outside input: Jinjava evaluates Java method calls on strings, and
 * {@code 'x'.repeat(100000000)} allocated 100 million characters. Strings, output, collections and the render's work
 * and time are bounded, and crossing a bound is a {@link ChatTemplateException} naming it.
 */
class ChatTemplateLimitsTest {
    static final List<ChatMessage> HELLO = List.of(new ChatMessage("user", "Hello"));

    private static String render(String template) {
        return ChatTemplate.of(template, "<s>", "</s>").render(HELLO, true);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{{ 'x'.repeat(100000000) }}",
        "{% set s = 'ab'.repeat(50000000) %}{{ s | length }}",
        "{% set ns = namespace(s='0123456789') %}{% for i in range(24) %}{% set ns.s = ns.s.concat(ns.s) %}{% endfor %}"
            + "{{ ns.s | length }}",
        "{% set ns = namespace(s='aaaaaaaaaa') %}{% for i in range(8) %}"
            + "{% set ns.s = ns.s.replace('a', 'aaaaaaaaaa') %}{% endfor %}{{ ns.s | length }}",
        "{{ 'x' | center(100000000) | length }}",
        "{{ 'a\\na\\na' | indent(50000000) | length }}",
        "{{ '%0100000000d' | format(1) | length }}",
        "{{ messages | tojson(indent=50000000) | length }}",
    })
    void stringsCannotGrowPastTheLimit(String template) {
        assertThatThrownBy(() -> render(template))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("longer than the limit of " + ChatTemplate.MAX_STRING_LENGTH + " characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{{ '%0100000000d'.formatted(1) | length }}",
        "{{ 'a\\na'.indent(100000000) | length }}",
        "{{ 'abc'.matches('a.c') }}",
        "{{ 'abc'.replaceAll('b', 'x') }}",
    })
    void javaStringMethodsTemplatesDoNotNeedAreRefusedByName(String template) {
        String method = template.replaceAll("(?s).*?'\\.(\\w+)\\(.*", "$1");
        assertThatThrownBy(() -> render(template))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("string method " + method + "() is not available to chat templates");
    }

    @Test
    void splitIsPythonsLiteralSplitNotAJavaRegex() {
        // Python: 'a.b.c'.split('.') == ['a', 'b', 'c'] and 'a,'.split(',') == ['a', '']; a Java regex '.' matches
        // every character (and a hostile pattern can backtrack for hours)
        assertThat(render("{{ 'a.b.c'.split('.') | join('|') }}")).isEqualTo("a|b|c");
        assertThat(render("{{ 'a,'.split(',') | length }}")).isEqualTo("2");
        assertThat(render("{{ ' a  b '.split() | join('|') }}")).isEqualTo("a|b");
        assertThat(render("{{ '<think>x</think>answer'.split('</think>')[-1] }}")).isEqualTo("answer");
    }

    @Test
    void outputPastTheLimitIsAnErrorNamingTheLimit() {
        String big = "{% for i in range(1000) %}{% for j in range(1000) %}{{ messages[0]['content'] }}"
                + "{% endfor %}{% endfor %}";
        assertThatThrownBy(() -> ChatTemplate.of(big, "", "").render(List.of(new ChatMessage("user", "x".repeat(100))), false))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("output is longer than the limit of " + ChatTemplate.MAX_OUTPUT + " characters");
    }

    @Test
    void loopsThatProduceNothingStillEndAtTheWorkLimit() {
        // ten million iterations and no output: the output bound never fires
        String busy = "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(10) %}{% if k > 100 %}x"
                + "{% endif %}{% endfor %}{% endfor %}{% endfor %}";
        assertThatThrownBy(() -> render(busy))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("more than " + ChatTemplate.MAX_NODES + " steps");
    }

    @Test
    void aRenderEndsWhenItsTimeIsUp() {
        // a clock that moves one second each time it is read: the limit is reached after a few steps, whatever the
        // machine's speed
        Clock ticking = new Clock() {
            long seconds;

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochSecond(seconds++);
            }
        };
        String slow = "{% for i in range(100) %}{{ i }}{% endfor %}";
        assertThatThrownBy(() -> ChatTemplate.of(slow, "", "").withClock(ticking).render(HELLO, true))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("took longer than " + ChatTemplate.MAX_RENDER_TIME.toSeconds() + " s");
    }
}
