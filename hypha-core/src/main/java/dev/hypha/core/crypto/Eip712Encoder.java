package dev.hypha.core.crypto;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * EIP-712 {@code encodeType}, {@code hashStruct} and the final digest, over messages already checked and put in
 * canonical form by {@link TypedDataValidator}.
 *
 * <p>Written here rather than taken from web3j: web3j 5.0.1's {@code StructuredDataEncoder} mis-encodes array
 * elements other than integers, strings and bytes (a {@code bool[]} throws ClassCastException after printing a stack
 * trace; {@code bytesN[]} elements are left-padded instead of right-padded), which {@code Eip712ReferenceTest} showed
 * against Foundry's cast. The rules are short and fully specified by EIP-712, and the spec's Mail vector plus the
 * comparison with cast pin this implementation.
 */
final class Eip712Encoder {
    private static final Pattern ARRAY = Pattern.compile("(.+)\\[(\\d*)]");

    private final Map<String, List<TypedData.Field>> types;

    private Eip712Encoder(Map<String, List<TypedData.Field>> types) {
        this.types = types;
    }

    /** {@code keccak256(0x19 0x01 || domainSeparator || hashStruct(message))}. */
    static byte[] digest(TypedData data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(66);
        out.write(0x19);
        out.write(0x01);
        out.writeBytes(domainSeparator(data.domain()));
        out.writeBytes(hashStruct(data.types(), data.primaryType(), data.message()));
        return Hashes.keccak256(out.toByteArray());
    }

    /** {@code hashStruct(EIP712Domain, domain)}. */
    static byte[] domainSeparator(TypedData.Domain domain) {
        Map<String, Object> values = new java.util.LinkedHashMap<>();
        if (domain.name() != null) values.put("name", domain.name());
        if (domain.version() != null) values.put("version", domain.version());
        if (domain.chainId() != null) values.put("chainId", domain.chainId());
        if (domain.verifyingContract() != null) values.put("verifyingContract", domain.verifyingContract());
        return hashStruct(Map.of(TypedData.DOMAIN_TYPE, domain.fields()), TypedData.DOMAIN_TYPE, values);
    }

    static byte[] hashStruct(Map<String, List<TypedData.Field>> types, String type, Map<String, Object> values) {
        return new Eip712Encoder(types).hashStruct(type, values);
    }

    /** {@code encodeType}: the primary type, then its struct dependencies sorted by name. */
    static String encodeType(Map<String, List<TypedData.Field>> types, String primary) {
        Eip712Encoder encoder = new Eip712Encoder(types);
        TreeSet<String> dependencies = new TreeSet<>();
        encoder.collectDependencies(primary, dependencies);
        dependencies.remove(primary);
        StringBuilder out = new StringBuilder(encoder.describe(primary));
        for (String dependency : dependencies) out.append(encoder.describe(dependency));
        return out.toString();
    }

    private String describe(String type) {
        StringBuilder out = new StringBuilder(type).append('(');
        List<TypedData.Field> fields = types.get(type);
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) out.append(',');
            out.append(fields.get(i).type()).append(' ').append(fields.get(i).name());
        }
        return out.append(')').toString();
    }

    private void collectDependencies(String type, TreeSet<String> found) {
        String base = baseType(type);
        if (!types.containsKey(base) || !found.add(base)) return;
        for (TypedData.Field field : types.get(base)) collectDependencies(field.type(), found);
    }

    private static String baseType(String type) {
        Matcher array = ARRAY.matcher(type);
        return array.matches() ? baseType(array.group(1)) : type;
    }

    private byte[] hashStruct(String type, Map<String, Object> values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 * (1 + types.get(type).size()));
        out.writeBytes(Hashes.keccak256(encodeType(types, type).getBytes(StandardCharsets.UTF_8)));
        for (TypedData.Field field : types.get(type)) {
            out.writeBytes(encodeValue(field.type(), values.get(field.name())));
        }
        return Hashes.keccak256(out.toByteArray());
    }

    @SuppressWarnings("unchecked")
    private byte[] encodeValue(String type, Object value) {
        Matcher array = ARRAY.matcher(type);
        if (array.matches()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (Object element : (List<Object>) value) out.writeBytes(encodeValue(array.group(1), element));
            return Hashes.keccak256(out.toByteArray());
        }
        if (types.containsKey(type)) {
            return hashStruct(type, (Map<String, Object>) value);
        }
        return switch (type) {
            case "string" -> Hashes.keccak256(((String) value).getBytes(StandardCharsets.UTF_8));
            case "bytes" -> Hashes.keccak256(Hex.decode((String) value));
            case "bool" -> word(BigInteger.valueOf((Boolean) value ? 1 : 0));
            case "address" -> word(new BigInteger(1, ((Address) value).bytes()));
            default -> type.startsWith("bytes") ? rightPadded(Hex.decode((String) value)) : word((BigInteger) value);
        };
    }

    /** A 32-byte big-endian word; negative values in two's complement, sign-extended. */
    private static byte[] word(BigInteger value) {
        byte[] word = new byte[32];
        if (value.signum() < 0) java.util.Arrays.fill(word, (byte) 0xff);
        byte[] raw = value.toByteArray();
        int length = Math.min(raw.length, 32); // the validator bounds values to 256 bits; a sign byte may make 33
        System.arraycopy(raw, raw.length - length, word, 32 - length, length);
        return word;
    }

    private static byte[] rightPadded(byte[] bytes) {
        byte[] word = new byte[32];
        System.arraycopy(bytes, 0, word, 0, bytes.length);
        return word;
    }
}
