package dev.hypha.chain.abi;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Array;
import org.web3j.abi.datatypes.BytesType;
import org.web3j.abi.datatypes.NumericType;
import org.web3j.abi.datatypes.Type;
import org.web3j.utils.Numeric;

/**
 * Decodes ABI-encoded values into plain Java values for display and storage: addresses as
 * lower-case 0x hex strings, integers as {@link BigInteger}, bytes as 0x hex strings, strings,
 * booleans, and lists for arrays. Decoding is done by web3j; this class only maps its types.
 */
public final class AbiValues {
    private AbiValues() {}

    /**
     * Decodes {@code data} (0x hex, no selector) as the given parameters, in order.
     *
     * @return the values, or empty when the data does not decode as those types (truncated,
     *     malformed, or a type web3j cannot decode such as tuples)
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    public static Optional<List<Object>> decode(List<AbiParam> params, String data) {
        if (params.isEmpty()) {
            return Optional.of(List.of());
        }
        try {
            List<TypeReference<Type>> refs = new ArrayList<>();
            for (AbiParam p : params) {
                if (p.type().startsWith("tuple")) {
                    return Optional.empty();
                }
                refs.add((TypeReference) TypeReference.makeTypeReference(p.type()));
            }
            String hex = Numeric.cleanHexPrefix(data);
            if (hex.length() % 2 != 0 || hex.length() < 64L * params.size() || !hex.matches("[0-9a-fA-F]*")) {
                return Optional.empty();
            }
            if (!AbiBounds.fits(params.stream().map(AbiParam::type).toList(), Numeric.hexStringToByteArray(hex))) {
                return Optional.empty();
            }
            List<Type> decoded = FunctionReturnDecoder.decode(data, refs);
            if (decoded.size() != params.size()) {
                return Optional.empty();
            }
            List<Object> out = new ArrayList<>(decoded.size());
            for (Type t : decoded) {
                out.add(toJava(t));
            }
            return Optional.of(List.copyOf(out));
        } catch (ClassNotFoundException | RuntimeException malformed) {
            // web3j throws assorted runtime exceptions on hostile data (offsets past the end, bad lengths).
            return Optional.empty();
        }
    }

    /**
     * Decodes one indexed event parameter from its topic: static types are the value itself,
     * dynamic types (string, bytes, arrays, tuples) only their keccak hash, returned as hex.
     */
    public static Object decodeTopic(AbiParam param, String topic) {
        if (param.isDynamic()) {
            return topic.toLowerCase(java.util.Locale.ROOT);
        }
        return decode(List.of(new AbiParam(param.name(), param.type(), false, List.of())), topic)
                .map(List::getFirst)
                .orElse(topic.toLowerCase(java.util.Locale.ROOT));
    }

    /** Maps a web3j ABI value to String/BigInteger/Boolean/List. */
    public static Object toJava(Type<?> t) {
        return switch (t) {
            case Address a -> a.getValue().toLowerCase(java.util.Locale.ROOT);
            case NumericType n -> n.getValue();
            case BytesType b -> Numeric.toHexString(b.getValue());
            case Array<?> arr -> arr.getValue().stream().map(x -> toJava((Type<?>) x)).toList();
            default -> t.getValue();
        };
    }

    /** Renders a decoded value the way error messages show it: numbers in decimal, lists in [..]. */
    public static String display(Object value) {
        return switch (value) {
            case List<?> l -> l.stream().map(AbiValues::display).collect(Collectors.joining(", ", "[", "]"));
            case String s when !s.startsWith("0x") -> "\"" + s + "\"";
            default -> String.valueOf(value);
        };
    }
}
