package dev.hypha.node.gateway.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.chat.ToolCallFormat;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Streamed text passes until a tool call may start; held text comes out when no call came. */
class ToolCallSinkTest {

    @Test
    void textBeforeACallPassesAndTheCallIsHeld() {
        List<String> out = new ArrayList<>();
        ToolCallSink sink = new ToolCallSink(out::add, new ToolCallFormat("<tool_call>", "arguments"));
        for (String piece : List.of("Let me ", "check.<to", "ol_call>", "{\"name\": \"f\"}")) {
            sink.accept(piece);
        }
        sink.finish(true);
        assertThat(String.join("", out)).isEqualTo("Let me check.");
    }

    @Test
    void aPartialPrefixThatComesToNothingIsReleased() {
        List<String> out = new ArrayList<>();
        ToolCallSink sink = new ToolCallSink(out::add, new ToolCallFormat("<tool_call>", "arguments"));
        sink.accept("a <to");
        assertThat(String.join("", out)).isEqualTo("a ");
        sink.accept("p> b");
        assertThat(String.join("", out)).isEqualTo("a <top> b");
        sink.accept("<tool");
        sink.finish(false);
        assertThat(String.join("", out)).isEqualTo("a <top> b<tool");
    }

    @Test
    void bareJsonCallsAreHeldFromTheFirstBrace() {
        List<String> out = new ArrayList<>();
        ToolCallSink sink = new ToolCallSink(out::add, new ToolCallFormat("", "parameters"));
        sink.accept("  ");
        assertThat(out).isEmpty(); // only whitespace so far: a call may still open the answer
        sink.accept("{\"name\"");
        assertThat(String.join("", out)).isEqualTo("  ");
        sink.finish(false);
        assertThat(String.join("", out)).isEqualTo("  {\"name\"");
    }
}
