package dev.hypha.ml.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * The schema constraint accepts exactly the prefixes of values that follow the schema, and generation held to it
 * ends only in such a value: checked with an independent validator (networknt's json-schema-validator).
 */
class SchemaConstraintTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final SchemaRegistry VALIDATORS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final String PERSON = """
            {"type":"object","title":"Person","properties":{
              "name":{"type":"string"},
              "age":{"type":"integer","description":"years"},
              "mood":{"enum":["happy","sad",1,null]},
              "tags":{"type":"array","items":{"type":"string"},"maxItems":2},
              "home":{"type":["object","null"],"properties":{"city":{"type":"string"}},"required":["city"]},
              "ok":{"type":"boolean"}},
             "required":["name","age"],"additionalProperties":false}""";

    @Test
    void acceptsValuesThatFollowTheSchemaAndTheirPrefixes() {
        JsonSchema s = JsonSchema.parse(PERSON);
        for (String ok : List.of("{\"name\":\"Al\",\"age\":3}", "{ \"name\" : \"\\u00e9\", \"age\" : -0, \"mood\" : 1 }",
                "{\"name\":\"x\",\"age\":12,\"mood\":\"sad\",\"tags\":[\"a\",\"b\"],\"home\":{\"city\":\"Oslo\"},\"ok\":true}",
                "{\"name\":\"x\",\"age\":1,\"home\":null,\"ok\":false}", "{\"name\":\"x\",\"age\":1,\"tags\":[]}")) {
            assertThat(SchemaConstraint.isComplete(s, utf8(ok))).as(ok).isTrue();
            for (int i = 0; i < ok.length(); i++) {
                assertThat(SchemaConstraint.isPrefix(s, utf8(ok.substring(0, i)))).as(ok.substring(0, i)).isTrue();
            }
        }
        for (String bad : List.of("{}", "{\"age\":1,\"name\":\"x\"}", "{\"name\":\"x\"}", "{\"name\":1,\"age\":1}",
                "{\"name\":\"x\",\"age\":1.5}", "{\"name\":\"x\",\"age\":1e3}", "{\"name\":\"x\",\"age\":1,\"mood\":\"glad\"}",
                "{\"name\":\"x\",\"age\":1,\"tags\":[\"a\",\"b\",\"c\"]}", "{\"name\":\"x\",\"age\":1,\"home\":{}}",
                "{\"name\":\"x\",\"age\":1,\"extra\":1}", "{\"name\":\"x\",\"age\":1} ", "[1]",
                "{\"name\":\"x\",\"age\":1,}")) {
            assertThat(SchemaConstraint.isComplete(s, utf8(bad))).as(bad).isFalse();
        }
    }

    @Test
    void scalarsAtTheTopEndWhereTheyMay() {
        JsonSchema n = JsonSchema.parse("{\"type\":\"number\"}");
        assertThat(SchemaConstraint.isComplete(n, utf8("12.5e-3"))).isTrue();
        assertThat(SchemaConstraint.isComplete(n, utf8("12."))).isFalse();
        JsonSchema e = JsonSchema.parse("{\"enum\":[1,12]}");
        assertThat(SchemaConstraint.isComplete(e, utf8("1"))).isTrue();
        assertThat(SchemaConstraint.isComplete(e, utf8("12"))).isTrue();
        assertThat(SchemaConstraint.isComplete(e, utf8("13"))).isFalse();
    }

    @Test
    void unsupportedKeywordsAreRefusedByName() {
        assertThatThrownBy(() -> JsonSchema.parse("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\","
                + "\"pattern\":\"^x\"}}}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("properties.a: keyword \"pattern\" is not supported");
        assertThatThrownBy(() -> JsonSchema.parse("{\"$ref\":\"#/$defs/x\"}")).hasMessageContaining("\"$ref\"");
        assertThatThrownBy(() -> JsonSchema.parse("{\"anyOf\":[]}")).hasMessageContaining("anyOf must be a list");
        assertThatThrownBy(() -> JsonSchema.parse("{\"type\":\"date\"}")).hasMessageContaining("type \"date\" is unknown");
        assertThatThrownBy(() -> JsonSchema.parse("{\"description\":\"anything\"}")).hasMessageContaining("needs a \"type\"");
        assertThatThrownBy(() -> JsonSchema.parse("{\"type\":\"object\",\"required\":[\"x\"]}"))
                .hasMessageContaining("required names \"x\"");
        assertThatThrownBy(() -> JsonSchema.parse("{\"type\":\"array\"}")).hasMessageContaining("needs items");
        assertThatThrownBy(() -> JsonSchema.parse("{\"type\":\"string\",\"enum\":[1]}")).hasMessageContaining("not of type");
        String deep = "{\"type\":\"array\",\"items\":".repeat(40) + "{\"type\":\"null\"}" + "}".repeat(40);
        assertThatThrownBy(() -> JsonSchema.parse(deep)).hasMessageContaining("nested deeper than");
    }

    /** A choice among tool calls, as the agent runtime asks of a model: a tagged union of objects. */
    private static final String TOOL_CHOICE = """
            {"anyOf":[
              {"type":"object","properties":{"tool":{"const":"search"},
                "arguments":{"type":"object","properties":{"q":{"type":"string","minLength":1,"maxLength":5}},
                             "required":["q"]}},"required":["tool","arguments"]},
              {"type":"object","properties":{"tool":{"const":"search_all"},
                "arguments":{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}},
               "required":["tool","arguments"]},
              {"type":"object","properties":{"tool":{"const":"final_answer"},"answer":{"type":"string"}},
               "required":["tool","answer"]}]}""";

    @Test
    void aTaggedUnionCommitsToTheAlternativeItsTagNames() throws Exception {
        JsonSchema s = JsonSchema.parse(TOOL_CHOICE);
        var validator = VALIDATORS.getSchema(TOOL_CHOICE, InputFormat.JSON);
        for (String ok : List.of("{\"tool\":\"search\",\"arguments\":{\"q\":\"cats\"}}",
                " {\"tool\":\"search_all\", \"arguments\": {\"n\": 3}}", "{\"tool\":\"final_answer\",\"answer\":\"\"}")) {
            assertThat(SchemaConstraint.isComplete(s, utf8(ok))).as(ok).isTrue();
            assertThat(validator.validate(ok, InputFormat.JSON)).as(ok).isEmpty();
            for (int i = 0; i < ok.length(); i++) {
                assertThat(SchemaConstraint.isPrefix(s, utf8(ok.substring(0, i)))).as(ok.substring(0, i)).isTrue();
            }
        }
        for (String bad : List.of("{\"tool\":\"search\",\"arguments\":{\"n\":3}}", // search's arguments are not search_all's
                "{\"tool\":\"final_answer\",\"arguments\":{\"q\":\"x\"}}", "{\"tool\":\"fetch\",\"arguments\":{}}",
                "{\"tool\":\"search\"}",
                "{\"tool\":\"search\",\"arguments\":{\"q\":\"\"}}", "{\"tool\":\"search\",\"arguments\":{\"q\":\"kittens\"}}")) {
            assertThat(SchemaConstraint.isComplete(s, utf8(bad))).as(bad).isFalse();
            assertThat(validator.validate(bad, InputFormat.JSON)).as(bad).isNotEmpty();
        }
    }

    @Test
    void stringLengthsCountCharactersNotBytes() {
        JsonSchema s = JsonSchema.parse("{\"type\":\"string\",\"minLength\":1,\"maxLength\":3}");
        for (String ok : List.of("\"a\"", "\"abc\"", "\"\u00e9\u00e9\u00e9\"", "\"\\n\\u0041b\"")) {
            assertThat(SchemaConstraint.isComplete(s, utf8(ok))).as(ok).isTrue();
        }
        for (String bad : List.of("\"\"", "\"abcd\"", "\"\u00e9\u00e9\u00e9\u00e9\"")) {
            assertThat(SchemaConstraint.isComplete(s, utf8(bad))).as(bad).isFalse();
        }
        assertThatThrownBy(() -> JsonSchema.parse("{\"type\":\"integer\",\"maxLength\":3}"))
                .hasMessageContaining("apply to strings only");
        assertThatThrownBy(() -> JsonSchema.parse("{\"type\":\"string\",\"minLength\":4,\"maxLength\":3}"))
                .hasMessageContaining("minLength 4 is more than maxLength 3");
    }

    @Test
    void unionsThatAreNotTaggedAreRefusedSayingWhatIsSupported() {
        assertThatThrownBy(() -> JsonSchema.parse("{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}"))
                .hasMessageContaining("only a tagged union is supported");
        assertThatThrownBy(() -> JsonSchema.parse("{\"oneOf\":[{\"type\":\"object\",\"properties\":{\"k\":{\"const\":\"a\"}},"
                + "\"required\":[\"k\"]},{\"type\":\"object\",\"properties\":{\"j\":{\"const\":\"b\"}},\"required\":[\"j\"]}]}"))
                .hasMessageContaining("tagged by \"j\", not \"k\"");
        assertThatThrownBy(() -> JsonSchema.parse("{\"anyOf\":[{\"type\":\"object\",\"properties\":{\"k\":{\"const\":\"a\"}},"
                + "\"required\":[\"k\"]},{\"type\":\"object\",\"properties\":{\"k\":{\"const\":\"a\"}},\"required\":[\"k\"]}]}"))
                .hasMessageContaining("\"a\" tags two alternatives");
        assertThatThrownBy(() -> JsonSchema.parse("{\"anyOf\":[{\"type\":\"object\",\"properties\":{\"k\":{\"const\":1}},"
                + "\"required\":[\"k\"]}]}")).hasMessageContaining("alternative 0 is not");
    }

    /** Tokens of a small alphabet (single bytes and a few longer pieces), so random walks close their strings. */
    private static final List<String> PIECES = List.of("{", "}", "[", "]", ",", ":", "\"", " ", "\n", "a", "b", "c", " d",
            "\\", "n", "u", "0", "1", "7", "-", ".", "e", "E", "+", "t", "r", "f", "l", "s", "x", "true", "null", "false",
            "12", "\":", "\"a\"", "ab", "é", "q", "d", "\"b\":[", "]}", "0.5");

    private static JsonConstraint.Vocabulary vocabulary() {
        byte[][] bytes = new byte[PIECES.size() + 2][];
        boolean[] ends = new boolean[bytes.length];
        for (int i = 0; i < PIECES.size(); i++) {
            bytes[i] = utf8(PIECES.get(i));
        }
        bytes[PIECES.size()] = new byte[0]; // the end of generation
        ends[PIECES.size()] = true;
        bytes[PIECES.size() + 1] = new byte[0]; // a control token with no text
        return new JsonConstraint.Vocabulary(bytes, ends);
    }

    @Property(tries = 300)
    void everyCompletedGenerationParsesAndValidates(@ForAll("schemas") ObjectNode schema, @ForAll long seed)
            throws Exception {
        JsonConstraint.Vocabulary vocab = vocabulary();
        SchemaConstraint c = new SchemaConstraint(vocab, JsonSchema.parse(schema));
        Random random = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int end = PIECES.size();
        boolean ended = false;
        for (int step = 0; step < 3000 && !ended; step++) {
            float[] logits = new float[vocab.bytes().length];
            try {
                c.mask(logits);
            } catch (IllegalStateException e) {
                throw new AssertionError("stuck after " + out.toString(StandardCharsets.UTF_8) + " with " + schema, e);
            }
            List<Integer> allowed = new ArrayList<>();
            for (int t = 0; t < logits.length; t++) {
                if (logits[t] != Float.NEGATIVE_INFINITY) {
                    allowed.add(t);
                }
            }
            assertThat(allowed).doesNotContain(end + 1);
            int token = allowed.contains(end) && random.nextInt(3) > 0 ? end : allowed.get(random.nextInt(allowed.size()));
            c.accept(token);
            if (token == end) {
                ended = true;
            } else {
                out.write(vocab.bytes()[token]);
            }
        }
        Statistics.label("finished").collect(ended);
        if (!ended) {
            return; // a walk that did not finish in time proves nothing either way
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(SchemaConstraint.isComplete(JsonSchema.parse(schema), out.toByteArray())).as(text).isTrue();
        JSON.readTree(text); // parses
        var errors = VALIDATORS.getSchema(schema.toString()).validate(text, InputFormat.JSON);
        assertThat(errors).as(schema + "\n" + text).isEmpty();
    }

    @Provide
    Arbitrary<ObjectNode> schemas() {
        Arbitrary<ObjectNode> scalars = Arbitraries.oneOf(
                Arbitraries.of("string", "number", "integer", "boolean", "null").map(t -> F.objectNode().put("type", t)),
                Arbitraries.of("a", "b c", "é").list().ofMinSize(1).ofMaxSize(3).uniqueElements().map(l -> {
                    ObjectNode o = F.objectNode();
                    ArrayNode e = o.putArray("enum");
                    l.forEach(e::add);
                    e.add(7);
                    return o;
                }),
                Arbitraries.of(List.of("string", "null"), List.of("integer", "boolean"), List.of("number", "string"))
                        .map(l -> {
                            ObjectNode o = F.objectNode();
                            l.forEach(o.putArray("type")::add);
                            return o;
                        }));
        return Arbitraries.recursive(() -> scalars, inner -> Arbitraries.oneOf(
                Combinators.combine(inner, Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 3))
                        .as((items, min, extra) -> {
                            ObjectNode o = F.objectNode().put("type", "array").put("minItems", min)
                                    .put("maxItems", min + extra);
                            o.set("items", items);
                            return o;
                        }),
                Combinators.combine(inner.list().ofMaxSize(4), Arbitraries.integers().between(0, 15))
                        .as((props, requiredBits) -> object(props, requiredBits))), 3)
                .map(s -> s.has("type") && s.get("type").asText().equals("object") ? s : wrap(s));
    }

    private static final List<String> NAMES = List.of("a", "b", "ab", "c d", "é\"q");

    private static ObjectNode object(List<ObjectNode> props, int requiredBits) {
        ObjectNode o = F.objectNode().put("type", "object").put("additionalProperties", false);
        ObjectNode p = o.putObject("properties");
        Set<String> required = new LinkedHashSet<>();
        for (int i = 0; i < props.size(); i++) {
            p.set(NAMES.get(i), props.get(i));
            if ((requiredBits >>> i & 1) == 1) {
                required.add(NAMES.get(i));
            }
        }
        required.forEach(o.putArray("required")::add);
        return o;
    }

    /** Most schemas given as a format are objects: wrap the others in one, so both kinds are covered. */
    private static ObjectNode wrap(ObjectNode s) {
        return object(List.of(s), 1);
    }
}
