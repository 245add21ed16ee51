package dev.hypha.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.ECKeyPair;

/**
 * Our EIP-712 signatures against Foundry's {@code cast wallet sign --data} (alloy's EIP-712 implementation), run in the
 * same test. Signatures are deterministic (RFC 6979), so equal signatures mean equal digests. The schema exercises what
 * an encoder is most likely to get wrong: arrays of structs, fixed and nested arrays, bool and bytes4 arrays, dynamic
 * bytes, bytes32, negative and full-width integers.
 */
class Eip712ReferenceTest {
    /** Anvil's first development key (public). */
    static final String KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    static final ECKeyPair PAIR = ECKeyPair.create(Hex.decode(KEY));

    static final Map<String, List<TypedData.Field>> TYPES = Map.of(
            "Item", List.of(new TypedData.Field("id", "uint256"), new TypedData.Field("tag", "bytes32"),
                    new TypedData.Field("delta", "int64")),
            "Order", List.of(new TypedData.Field("items", "Item[]"), new TypedData.Field("payload", "bytes"),
                    new TypedData.Field("flags", "bool[2]"), new TypedData.Field("who", "address[]"),
                    new TypedData.Field("big", "uint256"), new TypedData.Field("neg", "int256"),
                    new TypedData.Field("note", "string"), new TypedData.Field("codes", "bytes4[]"),
                    new TypedData.Field("matrix", "int8[][]")));
    static final TypedData.Domain DOMAIN = TypedData.Domain.of("Hypha", "1", 31337,
            Address.parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"));

    @Test
    void specMailMatchesCast() throws Exception {
        assertThat(castSign(Eip712Test.specMail())).isEqualTo(Eip712.sign(Eip712Test.specMail(), PAIR).toHex());
    }

    @Test
    void recursiveTypesAreRefusedAsCastRefusesThem() throws Exception {
        var types = Map.of("Node", List.of(new TypedData.Field("name", "string"), new TypedData.Field("children", "Edge[]")),
                "Edge", List.of(new TypedData.Field("to", "Node")));
        Map<String, Object> leaf = Map.of("name", "leaf", "children", List.of());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TypedData.of(DOMAIN, types, "Node", leaf))
                .isInstanceOf(dev.hypha.core.errors.HyphaException.class)
                .hasMessageContaining("refers to itself").hasMessageContaining("Edge -> Node -> Edge");
        // the reference refuses the same JSON, so refusing loses nothing a wallet could have checked
        String json = "{\"types\":{\"EIP712Domain\":[{\"name\":\"name\",\"type\":\"string\"}],"
                + "\"Node\":[{\"name\":\"name\",\"type\":\"string\"},{\"name\":\"children\",\"type\":\"Node[]\"}]},"
                + "\"primaryType\":\"Node\",\"domain\":{\"name\":\"x\"},\"message\":{\"name\":\"leaf\",\"children\":[]}}";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> castSignJson(json)).hasMessageContaining("circular dependency");
    }

    @Property(tries = 25)
    void richMessagesMatchCast(@ForAll("orders") Map<String, Object> order) throws Exception {
        TypedData data = TypedData.of(DOMAIN, TYPES, "Order", order);
        assertThat(Eip712.sign(data, PAIR).toHex()).isEqualTo(castSign(data));
    }

    @Provide
    Arbitrary<Map<String, Object>> orders() {
        Arbitrary<Map<String, Object>> item = Combinators.combine(
                Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.TWO.pow(256).subtract(BigInteger.ONE)),
                Arbitraries.bytes().array(byte[].class).ofSize(32),
                Arbitraries.longs()).as((id, tag, delta) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", id);
                    m.put("tag", tag);
                    m.put("delta", delta);
                    return m;
                });
        return Combinators.combine(
                item.list().ofMaxSize(3),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40),
                Arbitraries.of(true, false).list().ofSize(2),
                Arbitraries.bytes().array(byte[].class).ofSize(20).map(Address::of).list().ofMaxSize(3),
                Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.TWO.pow(256).subtract(BigInteger.ONE)),
                Arbitraries.bigIntegers().between(BigInteger.TWO.pow(255).negate(), BigInteger.TWO.pow(255).subtract(BigInteger.ONE)),
                Combinators.combine(Arbitraries.strings().ofMaxLength(20),
                        Arbitraries.bytes().array(byte[].class).ofSize(4).list().ofMaxSize(3),
                        Arbitraries.integers().between(-128, 127).list().ofMaxSize(3).list().ofMaxSize(3))
                        .as((note, codes, matrix) -> List.<Object>of(note, codes, matrix)))
                .as((items, payload, flags, who, big, neg, rest) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("items", items);
                    m.put("payload", payload);
                    m.put("flags", flags);
                    m.put("who", who);
                    m.put("big", big);
                    m.put("neg", neg);
                    m.put("note", rest.get(0));
                    m.put("codes", rest.get(1));
                    m.put("matrix", rest.get(2));
                    return m;
                });
    }

    static String castSign(TypedData data) throws IOException, InterruptedException {
        return castSignJson(data.toJson());
    }

    static String castSignJson(String json) throws IOException, InterruptedException {
        Path file = Files.createTempFile("typed-data", ".json");
        try {
            Files.writeString(file, json);
            Process process = new ProcessBuilder(cast(), "wallet", "sign", "--private-key", KEY, "--data", "--from-file",
                    file.toString()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (process.waitFor() != 0) throw new IllegalStateException("cast failed: " + output);
            return output;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    static String cast() {
        Path cast = Path.of(System.getProperty("hypha.repo.root"), "node_modules", ".bin", "cast");
        if (!Files.isExecutable(cast)) throw new IllegalStateException("Foundry's cast is not installed at " + cast + " (run the setup)");
        return cast.toString();
    }
}
