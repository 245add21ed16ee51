package dev.hypha.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class TerminalTextTest {

    @Test
    void escapeSequencesAreShownNotRun() {
        String hostile = "http://ok.example\u001b]0;pwned\u0007\u001b[2J\u001b[1A\r\nhypha: all good";
        assertThat(TerminalText.line(hostile))
                .isEqualTo("http://ok.example\\x1b]0;pwned\\x07\\x1b[2J\\x1b[1A\\x0d\\x0ahypha: all good");
    }

    @Test
    void c1ControlsDelAndBidiOverridesAreEscaped() {
        assertThat(TerminalText.line("a\u009b31mb\u007fc")).isEqualTo("a\\x9b31mb\\x7fc");
        assertThat(TerminalText.line("evil.com/\u202emoc.doog")).isEqualTo("evil.com/\\u202emoc.doog");
        assertThat(TerminalText.line("x\u2066y\u2069")).isEqualTo("x\\u2066y\\u2069");
    }

    @Test
    void printableTextOfAnyScriptPassesUnchanged() {
        String text = "Grüße, 你好, مرحبا, 🙂 — ok";
        assertThat(TerminalText.line(text)).isEqualTo(text);
    }

    @Test
    void blocksKeepLineFeedsAndTabsButNotCarriageReturns() {
        assertThat(TerminalText.block("{% for m in messages %}\n\t{{ m }}\r\u001b[K")).isEqualTo("{% for m in messages %}\n\t{{ m }}\\x0d\\x1b[K");
    }

    @Test
    void longLinesAreCutWithANote() {
        String shown = TerminalText.line("a".repeat(TerminalText.MAX_LINE + 10));
        assertThat(shown).startsWith("aaa").endsWith("… (10 more characters)");
        assertThat(TerminalText.line(null)).isEmpty();
    }

    @Property
    void nothingThatReachesTheTerminalIsAControlCharacter(@ForAll String any) {
        String shown = TerminalText.line(any);
        assertThat(shown.codePoints()).noneMatch(cp -> cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)
                || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || (cp >= 0xD800 && cp <= 0xDFFF));
    }
}
