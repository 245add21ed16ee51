package dev.hypha.core.crypto;

import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks EIP-712 types and a message against them before anything is hashed. web3j's encoder is lenient (missing
 * fields, extra fields and out-of-range numbers slip through or fail deep inside with a vague message), and a signature
 * over something other than what the caller meant is worse than an error, so Hypha checks first.
 */
final class TypedDataValidator {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
    private static final Pattern ARRAY = Pattern.compile("(.+)\\[(\\d*)]");
    private static final Pattern INT = Pattern.compile("(u?)int(\\d{0,3})");
    private static final Pattern FIXED_BYTES = Pattern.compile("bytes(\\d{1,2})");
    /** Struct nesting depth limit: deep enough for any real message, shallow enough that hostile input cannot overflow the stack. */
    private static final int MAX_DEPTH = 32;

    private TypedDataValidator() {}

    /**
     * Checks types and message and returns the message in canonical form: integers as {@link BigInteger}, addresses as
     * {@link Address}, byte strings as lower-case 0x hex, nested structs as ordered maps, arrays as lists. Equal
     * messages thereby become equal values, however the caller spelled them.
     */
    static Map<String, Object> validate(Map<String, List<TypedData.Field>> types, String primaryType, Map<String, Object> message) {
        for (var entry : types.entrySet()) {
            if (!IDENTIFIER.matcher(entry.getKey()).matches()) {
                throw HyphaException.input("EIP-712 type name '" + entry.getKey() + "' is not an identifier");
            }
            Set<String> seen = new HashSet<>();
            for (TypedData.Field field : entry.getValue()) {
                if (!IDENTIFIER.matcher(field.name()).matches()) {
                    throw HyphaException.input("EIP-712 field name '" + field.name() + "' in type '" + entry.getKey() + "' is not an identifier");
                }
                if (!seen.add(field.name())) {
                    throw HyphaException.input("EIP-712 type '" + entry.getKey() + "' declares field '" + field.name() + "' twice");
                }
                checkTypeName(types, field.type(), entry.getKey() + "." + field.name());
            }
        }
        for (String type : types.keySet()) {
            rejectCycles(types, type, new java.util.ArrayList<>());
        }
        if (!types.containsKey(primaryType)) {
            throw HyphaException.input("EIP-712 primaryType '" + primaryType + "' is not among the types " + types.keySet());
        }
        return checkStruct(types, primaryType, message, "message", 0);
    }

    /**
     * EIP-712 leaves recursive struct types open and implementations split on them (alloy, behind Foundry and many
     * wallets, refuses them), so a signature over one could not be checked elsewhere: refuse them up front.
     */
    private static void rejectCycles(Map<String, List<TypedData.Field>> types, String type, List<String> path) {
        if (path.contains(type)) {
            path.add(type);
            throw HyphaException.input("EIP-712 type '" + type + "' refers to itself (" + String.join(" -> ", path)
                    + "); recursive types are not supported because many wallets and libraries refuse them");
        }
        path.add(type);
        for (TypedData.Field field : types.get(type)) {
            String base = field.type().replaceAll("\\[\\d*]", "");
            if (types.containsKey(base)) rejectCycles(types, base, path);
        }
        path.removeLast();
    }

    private static void checkTypeName(Map<String, List<TypedData.Field>> types, String type, String where) {
        Matcher array = ARRAY.matcher(type);
        if (array.matches()) {
            checkTypeName(types, array.group(1), where);
            return;
        }
        if (types.containsKey(type) || isAtomic(type) || type.equals("string") || type.equals("bytes")) {
            return;
        }
        throw HyphaException.input("EIP-712 field " + where + " has unknown type '" + type
                + "' (expected a declared struct, address, bool, string, bytes, bytes1..32, uint8..256, int8..256 or an array of these)");
    }

    private static boolean isAtomic(String type) {
        if (type.equals("address") || type.equals("bool")) return true;
        Matcher m = INT.matcher(type);
        if (m.matches()) return intBits(m.group(2)) > 0;
        Matcher b = FIXED_BYTES.matcher(type);
        if (b.matches()) {
            int n = Integer.parseInt(b.group(1));
            return n >= 1 && n <= 32;
        }
        return false;
    }

    private static int intBits(String digits) {
        if (digits.isEmpty()) return 256;
        int bits = Integer.parseInt(digits);
        return bits >= 8 && bits <= 256 && bits % 8 == 0 ? bits : -1;
    }

    private static Map<String, Object> checkStruct(Map<String, List<TypedData.Field>> types, String type, Object value, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw HyphaException.input("EIP-712 message nests deeper than " + MAX_DEPTH + " structs at " + path);
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw HyphaException.input("EIP-712 value " + path + " must be a struct " + type + " (an object)");
        }
        List<TypedData.Field> fields = types.get(type);
        Set<String> declared = new HashSet<>();
        Map<String, Object> canonical = new java.util.LinkedHashMap<>();
        for (TypedData.Field field : fields) {
            declared.add(field.name());
            if (!map.containsKey(field.name()) || map.get(field.name()) == null) {
                throw HyphaException.input("EIP-712 value " + path + " is missing field '" + field.name() + "' (" + field.type() + ")");
            }
            canonical.put(field.name(), checkValue(types, field.type(), map.get(field.name()), path + "." + field.name(), depth));
        }
        for (Object key : map.keySet()) {
            if (!declared.contains(String.valueOf(key))) {
                throw HyphaException.input("EIP-712 value " + path + " has field '" + key + "' that type " + type
                        + " does not declare (it would not be signed)");
            }
        }
        return java.util.Collections.unmodifiableMap(canonical);
    }

    private static Object checkValue(Map<String, List<TypedData.Field>> types, String type, Object value, String path, int depth) {
        if (value == null) {
            // JSON null: every EIP-712 type needs a value (a pattern switch on null would throw NullPointerException).
            throw HyphaException.input("EIP-712 value " + path + " is null; expected a " + type);
        }
        Matcher array = ARRAY.matcher(type);
        if (array.matches()) {
            if (!(value instanceof List<?> list)) {
                throw HyphaException.input("EIP-712 value " + path + " must be an array (" + type + ")");
            }
            if (!array.group(2).isEmpty() && list.size() != Integer.parseInt(array.group(2))) {
                throw HyphaException.input("EIP-712 value " + path + " must have " + array.group(2) + " elements, has " + list.size());
            }
            java.util.ArrayList<Object> items = new java.util.ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                items.add(checkValue(types, array.group(1), list.get(i), path + "[" + i + "]", depth + 1));
            }
            return java.util.Collections.unmodifiableList(items);
        }
        if (types.containsKey(type)) {
            return checkStruct(types, type, value, path, depth + 1);
        }
        return switch (type) {
            case "string" -> {
                if (!(value instanceof String)) throw mistyped(path, type, value);
                yield value;
            }
            case "bool" -> {
                if (!(value instanceof Boolean)) throw mistyped(path, type, value);
                yield value;
            }
            case "address" -> switch (value) {
                case String s -> Address.parse(s);
                case Address a -> a;
                default -> throw mistyped(path, type, value);
            };
            case "bytes" -> Hex.encode(bytesOf(value, path, type));
            default -> checkSized(type, value, path);
        };
    }

    private static Object checkSized(String type, Object value, String path) {
        Matcher fixed = FIXED_BYTES.matcher(type);
        if (fixed.matches()) {
            int length = Integer.parseInt(fixed.group(1));
            byte[] bytes = bytesOf(value, path, type);
            if (bytes.length != length) {
                throw HyphaException.input("EIP-712 value " + path + " must be exactly " + length + " bytes (" + type + ")");
            }
            return Hex.encode(bytes);
        }
        Matcher integer = INT.matcher(type);
        if (!integer.matches()) {
            throw new IllegalStateException("type names were checked before values: " + type);
        }
        BigInteger n = switch (value) {
            case BigInteger b -> b;
            case Long l -> BigInteger.valueOf(l);
            case Integer i -> BigInteger.valueOf(i);
            case String s -> parseInteger(s, path);
            default -> throw mistyped(path, type, value);
        };
        int bits = intBits(integer.group(2));
        boolean unsigned = integer.group(1).equals("u");
        BigInteger min = unsigned ? BigInteger.ZERO : BigInteger.ONE.shiftLeft(bits - 1).negate();
        BigInteger max = unsigned ? BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE) : BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE);
        if (n.compareTo(min) < 0 || n.compareTo(max) > 0) {
            throw HyphaException.input("EIP-712 value " + path + " = " + n + " is out of range for " + type);
        }
        return n;
    }

    private static byte[] bytesOf(Object value, String path, String type) {
        return switch (value) {
            case byte[] b -> b;
            case String s -> {
                if (!s.startsWith("0x")) throw HyphaException.input("EIP-712 value " + path + " (" + type + ") must be 0x-prefixed hex");
                yield Hex.decode(s);
            }
            default -> throw mistyped(path, type, value);
        };
    }

    /** Parses a decimal or 0x-hex integer, naming {@code what} when it is neither. */
    static BigInteger parseInteger(String text, String what) {
        try {
            if (text.startsWith("0x") || text.startsWith("0X")) {
                if (text.length() == 2) throw new NumberFormatException("no digits");
                return new BigInteger(text.substring(2), 16);
            }
            return new BigInteger(text);
        } catch (NumberFormatException e) {
            throw HyphaException.input("EIP-712 value " + what + " is not an integer: '" + Hex.abbreviate(text)
                    + "' (expected decimal digits or 0x hex)");
        }
    }

    private static HyphaException mistyped(String path, String type, Object value) {
        return HyphaException.input("EIP-712 value " + path + " has the wrong type for " + type + ": "
                + value.getClass().getSimpleName());
    }
}
