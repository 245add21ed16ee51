package dev.hypha.ml.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The JSON-object constraint accepts exactly the prefixes of JSON objects (with bounded whitespace). */
class JsonConstraintTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void acceptsObjectsAndTheirPrefixesOnly() {
        for (String ok : List.of("{}", "{\"a\":1}", "{ \"a\" : [1, -2.5e+3, 0, 0.0, true, false, null, \"x\\n\\u00e9\"] }",
                "{\"k\":{\"n\":{}},\"l\":[[],[{}]]}", "{\"é\":\"ünïcode\"}")) {
            assertThat(JsonConstraint.isComplete(utf8(ok))).as(ok).isTrue();
            for (int i = 0; i < ok.length(); i++) {
                assertThat(JsonConstraint.isPrefix(utf8(ok.substring(0, i)))).as(ok.substring(0, i)).isTrue();
            }
        }
        for (String bad : List.of("[1]", "\"s\"", "1", "{\"a\":01}", "{\"a\":tru}x", "{a:1}", "{\"a\" 1}", "{\"a\":1,}",
                "{\"a\":\"\\x\"}", "{\"a\":\"\\u12G4\"}", "{\"a\":[1}", "{}}", "{} ", "{\"a\":-}", "{\"a\":1.}",
                "{\"a\":\"line\nbreak\"}", "{" + " ".repeat(JsonConstraint.MAX_WHITESPACE + 1) + "}")) {
            assertThat(JsonConstraint.isComplete(utf8(bad))).as(bad).isFalse();
        }
        assertThat(JsonConstraint.isPrefix(utf8("{\"a\":tru"))).isTrue();
        assertThat(JsonConstraint.isComplete(utf8("{\"a\":tru"))).isFalse();
    }

    @Property(tries = 300)
    void everyGeneratedObjectIsCompleteAndEveryPrefixAllowed(@ForAll("objects") String json) {
        assertThat(JsonConstraint.isComplete(utf8(json))).as(json).isTrue();
        byte[] b = utf8(json);
        for (int i = 0; i < b.length; i++) {
            assertThat(JsonConstraint.isPrefix(java.util.Arrays.copyOf(b, i))).isTrue();
        }
        assertThat(JsonConstraint.isPrefix(utf8(json + "x"))).isFalse();
    }

    @Test
    void masksTokensThatWouldBreakTheObjectAndEndsOnlyWhenItIsClosed() {
        // vocabulary: 0 = end, 1 = "{", 2 = "}", 3 = "\"a\"", 4 = ":", 5 = "1", 6 = "]", 7 = "" (a control token)
        byte[][] bytes = {new byte[0], utf8("{"), utf8("}"), utf8("\"a\""), utf8(":"), utf8("1"), utf8("]"), new byte[0]};
        boolean[] ends = {true, false, false, false, false, false, false, false};
        JsonConstraint c = new JsonConstraint(new JsonConstraint.Vocabulary(bytes, ends));
        float[] logits = new float[8];
        c.mask(logits);
        assertThat(allowed(logits)).containsExactly(1);
        c.accept(1);
        logits = new float[8];
        c.mask(logits);
        assertThat(allowed(logits)).containsExactly(2, 3);
        for (int t : new int[] {3, 4, 5}) {
            c.accept(t);
        }
        logits = new float[8];
        c.mask(logits);
        assertThat(allowed(logits)).containsExactly(2, 5);
        c.accept(2);
        assertThat(c.complete()).isTrue();
        logits = new float[8];
        c.mask(logits);
        assertThat(allowed(logits)).containsExactly(0);
    }

    private static List<Integer> allowed(float[] logits) {
        List<Integer> out = new java.util.ArrayList<>();
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] != Float.NEGATIVE_INFINITY) {
                out.add(i);
            }
        }
        return out;
    }

    @Provide
    Arbitrary<String> objects() {
        Arbitrary<String> strings = Arbitraries.strings().ofMaxLength(6).map(JsonConstraintTest::quote);
        Arbitrary<String> scalars = Arbitraries.oneOf(strings, Arbitraries.integers().map(String::valueOf),
                Arbitraries.doubles().map(d -> Double.isFinite(d) ? String.valueOf(d) : "0"),
                Arbitraries.of("true", "false", "null", "-0", "1e5", "2.5E-3"));
        Arbitrary<String> values = Arbitraries.recursive(() -> scalars, inner -> Arbitraries.oneOf(
                inner.list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]"),
                Arbitraries.maps(strings, inner).ofMaxSize(3).map(JsonConstraintTest::object)), 3);
        return Arbitraries.maps(strings, values).ofMaxSize(4).map(JsonConstraintTest::object);
    }

    private static String object(java.util.Map<String, String> m) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(k).append(": ").append(v));
        return b.append("}").toString();
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
