package dev.hypha.chain.abi;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One input of an ABI error or event, as the compiler's ABI JSON describes it.
 *
 * @param name the parameter name (may be empty)
 * @param type the ABI type, e.g. {@code uint256}, {@code bytes32[]}, {@code tuple}
 * @param indexed whether an event parameter is indexed (a topic)
 * @param components the fields of a tuple type (empty otherwise)
 */
public record AbiParam(String name, String type, boolean indexed, List<AbiParam> components) {
    public AbiParam {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        components = List.copyOf(components);
    }

    /** The type as it appears in a canonical signature: tuples spelled out as (t1,t2). */
    public String canonicalType() {
        if (type.startsWith("tuple")) {
            String inner = components.stream().map(AbiParam::canonicalType).collect(Collectors.joining(",", "(", ")"));
            return inner + type.substring("tuple".length());
        }
        return type;
    }

    /** Whether the value is stored in place in a topic (static) or hashed (dynamic types). */
    public boolean isDynamic() {
        return type.equals("string") || type.equals("bytes") || type.endsWith("]") || type.startsWith("tuple");
    }
}
