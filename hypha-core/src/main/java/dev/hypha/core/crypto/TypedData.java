package dev.hypha.core.crypto;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An EIP-712 typed-data message: domain, struct types, primary type and message, as wallets receive it in
 * {@code eth_signTypedData_v4}. Build it from Java ({@link #of}) or read it from JSON ({@link #fromJson}); either way
 * it is checked against its types up front ({@link TypedDataValidator}), so a missing, extra or mistyped field is a
 * clear error here and never a silently different digest later.
 *
 * <p>Message values in Java: {@link String}, {@link Boolean}, integers ({@link BigInteger}, {@link Long},
 * {@link Integer}) or decimal/0x strings for {@code uintN/intN}, {@link Address} or hex strings for {@code address},
 * {@code byte[]} or hex strings for {@code bytes/bytesN}, {@link List} for arrays and {@link Map} for nested structs.
 *
 * @param domain      the signing domain (EIP712Domain)
 * @param types       struct types by name, without EIP712Domain (that one follows from the domain's fields)
 * @param primaryType the struct type of {@code message}
 * @param message     the values, field name to value
 */
public record TypedData(Domain domain, Map<String, List<Field>> types, String primaryType, Map<String, Object> message) {
    /** The reserved name of the domain struct type. */
    public static final String DOMAIN_TYPE = "EIP712Domain";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One member of a struct type, e.g. {@code new Field("wallet", "address")}. */
    public record Field(String name, String type) {
        public Field {
            Objects.requireNonNull(name, "field name");
            Objects.requireNonNull(type, "field type");
        }
    }

    /**
     * The EIP-712 domain. Absent members are {@code null} and left out of the EIP712Domain type. Hypha's own
     * messages always set all four, so a signature is bound to one chain and one contract.
     */
    public record Domain(String name, String version, BigInteger chainId, Address verifyingContract) {
        public Domain {
            if (chainId != null && chainId.signum() < 0) {
                throw HyphaException.input("EIP-712 domain chainId must not be negative, got " + chainId);
            }
        }

        /** A full domain: the form every Hypha contract uses. */
        public static Domain of(String name, String version, long chainId, Address verifyingContract) {
            return new Domain(name, version, BigInteger.valueOf(chainId), verifyingContract);
        }

        /** The EIP712Domain struct members, in the order EIP-712 lists them. */
        public List<Field> fields() {
            List<Field> fields = new ArrayList<>(4);
            if (name != null) fields.add(new Field("name", "string"));
            if (version != null) fields.add(new Field("version", "string"));
            if (chainId != null) fields.add(new Field("chainId", "uint256"));
            if (verifyingContract != null) fields.add(new Field("verifyingContract", "address"));
            return List.copyOf(fields);
        }
    }

    public TypedData {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(primaryType, "primaryType");
        types = copyTypes(types);
        Objects.requireNonNull(message, "message");
        if (domain.fields().isEmpty()) {
            throw HyphaException.input("EIP-712 domain is empty (expected at least one of name, version, chainId, verifyingContract)");
        }
        message = TypedDataValidator.validate(types, primaryType, message);
    }

    /** Builds typed data from Java values (see the class comment for accepted value types). */
    public static TypedData of(Domain domain, Map<String, List<Field>> types, String primaryType, Map<String, ?> message) {
        return new TypedData(domain, types, primaryType, new LinkedHashMap<>(message));
    }

    /**
     * Reads the standard JSON form ({@code types}, {@code primaryType}, {@code domain}, {@code message}).
     *
     * @throws HyphaException (INPUT) naming the malformed part
     */
    public static TypedData fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw HyphaException.input("EIP-712 typed data is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw HyphaException.input("EIP-712 typed data must be a JSON object with types, primaryType, domain and message");
        }
        JsonNode typesNode = required(root, "types", JsonNode::isObject, "an object of struct types");
        JsonNode primary = required(root, "primaryType", JsonNode::isTextual, "a type name");
        JsonNode domainNode = required(root, "domain", JsonNode::isObject, "an object");
        JsonNode messageNode = required(root, "message", JsonNode::isObject, "an object");

        Map<String, List<Field>> types = new TreeMap<>();
        List<Field> declaredDomainFields = null;
        for (var entry : typesNode.properties()) {
            List<Field> fields = readFields(entry.getKey(), entry.getValue());
            if (entry.getKey().equals(DOMAIN_TYPE)) {
                declaredDomainFields = fields;
            } else {
                types.put(entry.getKey(), fields);
            }
        }
        Domain domain = readDomain(domainNode);
        if (declaredDomainFields != null && !declaredDomainFields.equals(domain.fields())) {
            throw HyphaException.input("EIP712Domain type " + declaredDomainFields
                    + " does not match the domain's members " + domain.fields());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> message = (Map<String, Object>) fromJsonValue(messageNode);
        return new TypedData(domain, types, primary.asText(), message);
    }

    /** The standard JSON form, with EIP712Domain in {@code types}; keys in a fixed order, so equal data gives equal text. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(toJsonTree());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot happen: a tree of plain JSON nodes always serialises", e);
        }
    }

    /** The standard JSON form as a tree; numbers are written as decimal strings, bytes and addresses as hex. */
    public ObjectNode toJsonTree() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        ObjectNode typesNode = root.putObject("types");
        typesNode.set(DOMAIN_TYPE, fieldsNode(domain.fields()));
        types.forEach((name, fields) -> typesNode.set(name, fieldsNode(fields)));
        root.put("primaryType", primaryType);
        ObjectNode domainNode = root.putObject("domain");
        if (domain.name() != null) domainNode.put("name", domain.name());
        if (domain.version() != null) domainNode.put("version", domain.version());
        if (domain.chainId() != null) domainNode.put("chainId", domain.chainId());
        if (domain.verifyingContract() != null) domainNode.put("verifyingContract", domain.verifyingContract().lowercaseHex());
        root.set("message", toJsonValue(message));
        return root;
    }

    private static ArrayNode fieldsNode(List<Field> fields) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (Field field : fields) {
            array.addObject().put("name", field.name()).put("type", field.type());
        }
        return array;
    }

    private static JsonNode toJsonValue(Object value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (value) {
            case null -> f.nullNode();
            case String s -> f.textNode(s);
            case Boolean b -> f.booleanNode(b);
            case BigInteger i -> f.textNode(i.toString());
            case Long l -> f.textNode(l.toString());
            case Integer i -> f.textNode(i.toString());
            case Address a -> f.textNode(a.lowercaseHex());
            case byte[] bytes -> f.textNode(Hex.encode(bytes));
            case List<?> list -> {
                ArrayNode array = f.arrayNode();
                list.forEach(item -> array.add(toJsonValue(item)));
                yield array;
            }
            case Map<?, ?> map -> {
                ObjectNode object = f.objectNode();
                map.forEach((k, v) -> object.set(String.valueOf(k), toJsonValue(v)));
                yield object;
            }
            default -> throw HyphaException.input("unsupported EIP-712 message value of type "
                    + value.getClass().getSimpleName());
        };
    }

    private static Object fromJsonValue(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.properties().forEach(e -> map.put(e.getKey(), fromJsonValue(e.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(fromJsonValue(item)));
            return list;
        }
        if (node.isIntegralNumber()) return node.bigIntegerValue();
        if (node.isNumber()) {
            throw HyphaException.input("EIP-712 values must be integers, got the fraction " + node.asText());
        }
        if (node.isBoolean()) return node.booleanValue();
        if (node.isNull()) return null;
        return node.asText();
    }

    private static List<Field> readFields(String typeName, JsonNode node) {
        if (!node.isArray()) {
            throw HyphaException.input("EIP-712 type '" + typeName + "' must be an array of {name, type}");
        }
        List<Field> fields = new ArrayList<>();
        for (JsonNode member : node) {
            JsonNode name = member.get("name");
            JsonNode type = member.get("type");
            if (name == null || !name.isTextual() || type == null || !type.isTextual()) {
                throw HyphaException.input("EIP-712 type '" + typeName + "' has a member without a string name and type: " + member);
            }
            fields.add(new Field(name.asText(), type.asText()));
        }
        return List.copyOf(fields);
    }

    private static Domain readDomain(JsonNode node) {
        for (var entry : node.properties()) {
            if (!List.of("name", "version", "chainId", "verifyingContract").contains(entry.getKey())) {
                throw HyphaException.input("unsupported EIP-712 domain member '" + entry.getKey()
                        + "' (supported: name, version, chainId, verifyingContract)");
            }
        }
        String name = optionalText(node, "name");
        String version = optionalText(node, "version");
        BigInteger chainId = null;
        if (node.has("chainId")) {
            JsonNode id = node.get("chainId");
            chainId = id.isIntegralNumber() ? id.bigIntegerValue() : TypedDataValidator.parseInteger(id.asText(), "domain.chainId");
        }
        String contractText = optionalText(node, "verifyingContract");
        Address contract = contractText == null ? null : Address.parse(contractText);
        return new Domain(name, version, chainId, contract);
    }

    private static String optionalText(JsonNode object, String key) {
        JsonNode value = object.get(key);
        if (value == null) return null;
        if (!value.isTextual()) {
            throw HyphaException.input("EIP-712 domain." + key + " must be a string, got " + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return value.asText();
    }

    private static JsonNode required(JsonNode root, String key, java.util.function.Predicate<JsonNode> shape, String expected) {
        JsonNode node = root.get(key);
        if (node == null || !shape.test(node)) {
            throw HyphaException.input("EIP-712 typed data: '" + key + "' is missing or malformed (expected " + expected + ")");
        }
        return node;
    }

    private static Map<String, List<Field>> copyTypes(Map<String, List<Field>> types) {
        Objects.requireNonNull(types, "types");
        Map<String, List<Field>> copy = new TreeMap<>();
        types.forEach((name, fields) -> {
            if (DOMAIN_TYPE.equals(name)) {
                return; // derived from the domain; a caller passing it along (e.g. from another library) is fine
            }
            copy.put(name, List.copyOf(fields));
        });
        return Collections.unmodifiableMap(copy);
    }
}
