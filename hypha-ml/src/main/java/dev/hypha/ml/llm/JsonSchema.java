package dev.hypha.ml.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of JSON Schema that generation can be held to ({@link SchemaConstraint}): objects with {@code properties}
 * and {@code required}, arrays with {@code items} (and {@code minItems} / {@code maxItems}), strings, numbers,
 * integers, booleans, null, {@code enum} and {@code const}, {@code type} given as a list of those, strings' {@code
 * minLength} and {@code maxLength} (in characters), and {@code anyOf} / {@code oneOf} as a tagged union: alternatives
 * that are objects whose first property is required and a different string {@code const} each, under the same name
 * (how a choice among tool calls is written: {@code {"tool": "search", "arguments": {...}}}). Annotations
 * ({@code title}, {@code description}, {@code $schema}, {@code default}, {@code examples}, {@code $comment}) are read
 * and ignored; {@code additionalProperties} may be a boolean (the answer has only the listed properties, which is
 * valid either way). Any other keyword is refused by name, so a schema is never silently half-honoured.
 *
 * <p>Objects are written with their properties in the schema's order, each optional one present or not (as
 * llama.cpp's schema grammars do); every required property appears. The schema's size and depth are bounded, so no
 * schema makes the constraint's work unbounded.
 */
public sealed interface JsonSchema {
    /** Most nested schemas (objects in arrays in objects...). */
    int MAX_DEPTH = 32;
    /** Most schema nodes in all. */
    int MAX_NODES = 1024;
    /** Most properties of one object, and most values of one enum (each is a bit of a {@code long} in the state). */
    int MAX_CHOICES = 64;

    /** An object: its properties in order; {@code key} is the name as JSON text, quotes included. */
    record ObjectSchema(List<Property> properties) implements JsonSchema {
        public ObjectSchema {
            properties = List.copyOf(properties);
        }
    }

    /** One property of an object. */
    record Property(String name, byte[] key, JsonSchema schema, boolean required) {}

    /** An array of {@code items}, with at least {@code minItems} and at most {@code maxItems} of them. */
    record ArraySchema(JsonSchema items, int minItems, int maxItems) implements JsonSchema {}

    /** A string of {@code minLength} to {@code maxLength} characters. */
    record StringSchema(int minLength, int maxLength) implements JsonSchema {
        /** Any string. */
        public StringSchema() {
            this(0, Integer.MAX_VALUE);
        }
    }

    /**
     * A tagged union ({@code anyOf} / {@code oneOf}): objects whose first property, the tag, is a different string
     * constant in each; {@code heads.get(i)} is the compact text of option i up to its tag's value ({@code
     * {"tool":"search"}), after which only that option's remaining properties may follow. Generation commits to an
     * option as soon as its tag is written, so the constraint stays a single automaton.
     */
    record TaggedUnion(String tag, List<byte[]> heads, List<ObjectSchema> options) implements JsonSchema {
        public TaggedUnion {
            heads = List.copyOf(heads);
            options = List.copyOf(options);
        }
    }

    /** Any number, or (integer) any number without fraction or exponent. */
    record NumberSchema(boolean integer) implements JsonSchema {}

    /** One of a fixed set of JSON texts: booleans, null, enum and const values (each written compactly). */
    record Literals(List<byte[]> texts) implements JsonSchema {
        public Literals {
            texts = List.copyOf(texts);
        }
    }

    /** One of several schemas, each starting with a different byte (a {@code type} list). */
    record Union(List<JsonSchema> options) implements JsonSchema {
        public Union {
            options = List.copyOf(options);
        }
    }

    /** Keywords that only describe and never constrain. */
    Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "default", "examples", "$comment");
    /** Keywords that constrain and are honoured. */
    Set<String> SUPPORTED = Set.of("type", "properties", "required", "items", "enum", "const", "additionalProperties",
            "minItems", "maxItems", "minLength", "maxLength", "anyOf", "oneOf");

    /**
     * Compiles {@code schema}.
     *
     * @throws IllegalArgumentException naming the place and the keyword when the schema cannot be honoured
     */
    static JsonSchema parse(JsonNode schema) {
        return new Parser().parse(schema, "", 0);
    }

    /** Compiles the schema in {@code json} (text). */
    static JsonSchema parse(String json) {
        try {
            return parse(Parser.MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the schema is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads a schema tree, counting nodes so the size bound holds. */
    final class Parser {
        static final ObjectMapper MAPPER = new ObjectMapper();
        private static final List<String> TYPES = List.of("object", "array", "string", "number", "integer", "boolean",
                "null");
        private int nodes;

        private JsonSchema parse(JsonNode s, String at, int depth) {
            String where = at.isEmpty() ? "the schema" : at;
            if (++nodes > MAX_NODES) {
                throw new IllegalArgumentException("the schema has more than " + MAX_NODES + " parts");
            }
            if (depth > MAX_DEPTH) {
                throw new IllegalArgumentException(where + " is nested deeper than " + MAX_DEPTH + " levels");
            }
            if (!s.isObject()) {
                throw new IllegalArgumentException(where + " must be a JSON object (a schema), got " + s.getNodeType());
            }
            for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!SUPPORTED.contains(k) && !ANNOTATIONS.contains(k)) {
                    throw new IllegalArgumentException(where + ": keyword \"" + k + "\" is not supported (supported: "
                            + String.join(", ", new java.util.TreeSet<>(SUPPORTED)) + ")");
                }
            }
            JsonNode ap = s.get("additionalProperties");
            if (ap != null && !ap.isBoolean()) {
                throw new IllegalArgumentException(where + ": additionalProperties must be true or false; a schema for "
                        + "them is not supported");
            }
            List<String> types = types(s, where);
            if (s.has("anyOf") || s.has("oneOf")) {
                return tagged(s, types, at, depth);
            }
            if (!types.contains("string") && (s.has("minLength") || s.has("maxLength"))) {
                throw new IllegalArgumentException(where + ": minLength and maxLength apply to strings only");
            }
            if (s.has("const") || s.has("enum")) {
                return literals(s, types, where);
            }
            if (types.isEmpty()) {
                throw new IllegalArgumentException(where + " needs a \"type\" (or an enum or const)");
            }
            if (!types.contains("object") && (s.has("properties") || s.has("required"))) {
                throw new IllegalArgumentException(where + ": properties and required apply to objects only");
            }
            if (!types.contains("array") && (s.has("items") || s.has("minItems") || s.has("maxItems"))) {
                throw new IllegalArgumentException(where + ": items, minItems and maxItems apply to arrays only");
            }
            List<JsonSchema> options = new ArrayList<>();
            for (String t : types) {
                options.add(single(t, s, at, depth));
            }
            return options.size() == 1 ? options.getFirst() : new Union(options);
        }

        private static List<String> types(JsonNode s, String where) {
            JsonNode t = s.get("type");
            if (t == null) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            if (t.isTextual()) {
                out.add(t.textValue());
            } else if (t.isArray() && !t.isEmpty()) {
                t.forEach(x -> out.add(x.isTextual() ? x.textValue() : "?"));
            } else {
                throw new IllegalArgumentException(where + ": type must be a type name or a list of them");
            }
            for (String x : out) {
                if (!TYPES.contains(x)) {
                    throw new IllegalArgumentException(where + ": type \"" + x + "\" is unknown (one of "
                            + String.join(", ", TYPES) + ")");
                }
            }
            if (new HashSet<>(out).size() != out.size()) {
                throw new IllegalArgumentException(where + ": type lists a type twice");
            }
            if (out.contains("number") && out.contains("integer")) {
                throw new IllegalArgumentException(where + ": type lists both number and integer; number alone says it");
            }
            return out;
        }

        private JsonSchema single(String type, JsonNode s, String at, int depth) {
            return switch (type) {
                case "object" -> object(s, at, depth);
                case "array" -> array(s, at, depth);
                case "string" -> string(s, at);
                case "number" -> new NumberSchema(false);
                case "integer" -> new NumberSchema(true);
                case "boolean" -> new Literals(List.of(bytes("true"), bytes("false")));
                default -> new Literals(List.of(bytes("null")));
            };
        }

        private static String child(String at, String segment) {
            return at.isEmpty() ? segment : at + "." + segment;
        }

        /** The place a message names: "the schema", or "properties.a.items: ". */
        private static String prefix(String at) {
            return (at.isEmpty() ? "the schema" : at) + ": ";
        }

        private JsonSchema object(JsonNode s, String at, int depth) {
            JsonNode props = s.get("properties");
            Set<String> required = new LinkedHashSet<>();
            JsonNode req = s.get("required");
            if (req != null) {
                if (!req.isArray()) {
                    throw new IllegalArgumentException(prefix(at) + "required must be a list of property names");
                }
                req.forEach(r -> {
                    if (!r.isTextual() || !required.add(r.textValue())) {
                        throw new IllegalArgumentException(prefix(at) + "required must list property names, each once");
                    }
                });
            }
            List<Property> out = new ArrayList<>();
            if (props != null) {
                if (!props.isObject()) {
                    throw new IllegalArgumentException(prefix(at) + "properties must be an object of schemas");
                }
                if (props.size() > MAX_CHOICES) {
                    throw new IllegalArgumentException(prefix(at) + "properties has " + props.size() + " entries; at most "
                            + MAX_CHOICES);
                }
                for (Map.Entry<String, JsonNode> e : props.properties()) {
                    String name = e.getKey();
                    JsonSchema p = parse(e.getValue(), child(at, "properties." + name), depth + 1);
                    out.add(new Property(name, json(TextNode.valueOf(name)), p, required.contains(name)));
                }
            }
            for (String r : required) {
                if (out.stream().noneMatch(p -> p.name().equals(r))) {
                    throw new IllegalArgumentException(prefix(at) + "required names \"" + r + "\", which is not in properties");
                }
            }
            return new ObjectSchema(out);
        }

        private static JsonSchema string(JsonNode s, String at) {
            int min = count(s, "minLength", 0, at);
            int max = count(s, "maxLength", Integer.MAX_VALUE, at);
            if (min > max) {
                throw new IllegalArgumentException(prefix(at) + "minLength " + min + " is more than maxLength " + max);
            }
            return new StringSchema(min, max);
        }

        /**
         * {@code anyOf} / {@code oneOf} as a tagged union. General unions would make the constraint a set of automata
         * run side by side; a tag written first (as function-calling schemas do) decides the option at once instead.
         */
        private JsonSchema tagged(JsonNode s, List<String> types, String at, int depth) {
            String keyword = s.has("anyOf") ? "anyOf" : "oneOf";
            String where = prefix(at) + keyword;
            if (s.has("anyOf") && s.has("oneOf")) {
                throw new IllegalArgumentException(prefix(at) + "give anyOf or oneOf, not both");
            }
            for (String k : List.of("properties", "required", "items", "enum", "const", "minItems", "maxItems",
                    "minLength", "maxLength")) {
                if (s.has(k)) {
                    throw new IllegalArgumentException(where + " cannot be combined with " + k);
                }
            }
            if (!types.isEmpty() && !types.equals(List.of("object"))) {
                throw new IllegalArgumentException(where + ": the alternatives are objects, so type may only be object");
            }
            JsonNode alternatives = s.get(keyword);
            if (!alternatives.isArray() || alternatives.isEmpty() || alternatives.size() > MAX_CHOICES) {
                throw new IllegalArgumentException(where + " must be a list of 1.." + MAX_CHOICES + " schemas");
            }
            String rule = where + ": only a tagged union is supported: each alternative an object whose first property"
                    + " is required and a string const, the same property in all, a different value in each";
            String tag = null;
            List<byte[]> heads = new ArrayList<>();
            List<ObjectSchema> options = new ArrayList<>();
            Set<String> values = new HashSet<>();
            for (int i = 0; i < alternatives.size(); i++) {
                JsonNode alt = alternatives.get(i);
                JsonSchema option = parse(alt, child(at, keyword + "[" + i + "]"), depth + 1);
                if (!(option instanceof ObjectSchema o) || o.properties().isEmpty()
                        || !o.properties().getFirst().required()
                        || !(o.properties().getFirst().schema() instanceof Literals l) || l.texts().size() != 1
                        || l.texts().getFirst().length < 2 || l.texts().getFirst()[0] != '"') {
                    throw new IllegalArgumentException(rule + " (alternative " + i + " is not)");
                }
                Property first = o.properties().getFirst();
                if (tag != null && !tag.equals(first.name())) {
                    throw new IllegalArgumentException(rule + " (alternative " + i + " is tagged by \"" + first.name()
                            + "\", not \"" + tag + "\")");
                }
                tag = first.name();
                String value = new String(l.texts().getFirst(), java.nio.charset.StandardCharsets.UTF_8);
                if (!values.add(value)) {
                    throw new IllegalArgumentException(rule + " (" + value + " tags two alternatives)");
                }
                java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
                head.write('{');
                head.writeBytes(first.key());
                head.write(':');
                head.writeBytes(l.texts().getFirst());
                heads.add(head.toByteArray());
                options.add(o);
            }
            return new TaggedUnion(tag, heads, options);
        }

        private JsonSchema array(JsonNode s, String at, int depth) {
            JsonNode items = s.get("items");
            if (items == null) {
                throw new IllegalArgumentException((at.isEmpty() ? "the schema" : at) + ": an array needs items (a schema)");
            }
            int min = count(s, "minItems", 0, at);
            int max = count(s, "maxItems", Integer.MAX_VALUE, at);
            if (min > max) {
                throw new IllegalArgumentException(prefix(at) + "minItems " + min + " is more than maxItems " + max);
            }
            return new ArraySchema(parse(items, child(at, "items"), depth + 1), min, max);
        }

        private static int count(JsonNode s, String field, int absent, String at) {
            JsonNode n = s.get(field);
            if (n == null) {
                return absent;
            }
            if (!n.canConvertToInt() || !n.isIntegralNumber() || n.intValue() < 0) {
                throw new IllegalArgumentException(prefix(at) + field + " must be a non-negative integer");
            }
            return n.intValue();
        }

        private static JsonSchema literals(JsonNode s, List<String> types, String where) {
            List<JsonNode> values = new ArrayList<>();
            if (s.has("const")) {
                values.add(s.get("const"));
            }
            if (s.has("enum")) {
                JsonNode e = s.get("enum");
                if (!e.isArray() || e.isEmpty()) {
                    throw new IllegalArgumentException(where + ": enum must be a non-empty list of values");
                }
                if (s.has("const")) {
                    throw new IllegalArgumentException(where + ": give const or enum, not both");
                }
                e.forEach(values::add);
            }
            if (values.size() > MAX_CHOICES) {
                throw new IllegalArgumentException(where + ": enum has " + values.size() + " values; at most " + MAX_CHOICES);
            }
            List<byte[]> texts = new ArrayList<>();
            for (JsonNode v : values) {
                if (!types.isEmpty() && types.stream().noneMatch(t -> isOfType(v, t))) {
                    throw new IllegalArgumentException(where + ": enum value " + v + " is not of type " + types);
                }
                texts.add(json(v));
            }
            return new Literals(texts);
        }

        private static boolean isOfType(JsonNode v, String type) {
            return switch (type) {
                case "object" -> v.isObject();
                case "array" -> v.isArray();
                case "string" -> v.isTextual();
                case "number" -> v.isNumber();
                case "integer" -> v.isIntegralNumber() || (v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()));
                case "boolean" -> v.isBoolean();
                default -> v.isNull();
            };
        }

        private static byte[] json(JsonNode v) {
            try {
                return MAPPER.writeValueAsBytes(v);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        private static byte[] bytes(String s) {
            return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
