package dev.hypha.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.UnixFsData;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import dev.hypha.core.errors.HyphaException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Outside input that is malformed in arbitrary ways: every parser either returns a canonical value or throws a
 * {@link HyphaException} with a message; no other exception (NullPointerException, ClassCastException,
 * ArrayIndexOutOfBounds...) may escape. Mutations start from valid inputs so they get past the first checks.
 */
class HostileInputPropertiesTest {
    static final String MAIL = """
            {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"chainId","type":"uint256"}],
             "Person":[{"name":"name","type":"string"},{"name":"wallet","type":"address"},{"name":"tags","type":"bytes4[]"}],
             "Mail":[{"name":"from","type":"Person"},{"name":"amount","type":"uint64"},{"name":"ok","type":"bool"}]},
             "primaryType":"Mail","domain":{"name":"Ether Mail","chainId":1},
             "message":{"from":{"name":"Cow","wallet":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826","tags":["0x01020304"]},
                        "amount":"42","ok":true}}""";

    @Property(tries = 300)
    void mutatedTypedDataJsonParsesOrFailsClearly(@ForAll("mutatedMail") String json) {
        try {
            TypedData data = TypedData.fromJson(json);
            assertThat(TypedData.fromJson(data.toJson())).isEqualTo(data);
            assertThat(Eip712.hash(data)).hasSize(32);
        } catch (HyphaException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Property
    void arbitraryCidBytesParseCanonicallyOrFailClearly(@ForAll("cidBytes") byte[] bytes) {
        try {
            assertThat(ContentId.fromBytes(bytes).bytes()).isEqualTo(bytes);
        } catch (HyphaException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Property
    void arbitraryUnixFsDataParsesCanonicallyOrFailsClearly(@ForAll @Size(max = 40) byte[] data) {
        byte[] withPrefix = new byte[data.length + 2];
        withPrefix[0] = 0x08;
        withPrefix[1] = 0x02;
        System.arraycopy(data, 0, withPrefix, 2, data.length);
        for (byte[] candidate : new byte[][] {data, withPrefix}) {
            try {
                assertThat(UnixFsData.decode(candidate).encode()).isEqualTo(candidate);
            } catch (HyphaException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    @Property
    void arbitraryAddressAndSignatureTextFailsClearly(@ForAll("hexish") String text) {
        try {
            assertThat(Address.parse(text).lowercaseHex()).isEqualTo(text.strip().toLowerCase(java.util.Locale.ROOT));
        } catch (HyphaException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
        try {
            Signature.fromHex(text);
        } catch (HyphaException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<String> mutatedMail() {
        byte[] base = MAIL.getBytes(StandardCharsets.UTF_8);
        Arbitrary<String> replaced = Arbitraries.integers().between(0, base.length - 1).flatMap(pos ->
                Arbitraries.of("\"", "{", "}", "[", "]", ",", ":", "0", "-", "x", "1e9", "null", "true", " ", "\\", "[]", "{}")
                        .map(s -> MAIL.substring(0, pos) + s + MAIL.substring(pos + 1)));
        Arbitrary<String> truncated = Arbitraries.integers().between(0, base.length).map(n -> MAIL.substring(0, n));
        Arbitrary<String> swapped = Arbitraries.of("\"uint64\"", "\"bool\"", "\"address\"", "\"bytes4[]\"", "\"Person\"", "\"42\"",
                "true", "\"Cow\"", "\"Mail\"", "1", "\"0x01020304\"").flatMap(from -> Arbitraries.of("\"uint8\"", "\"bool[]\"",
                "\"Mail\"", "\"Person[]\"", "\"-1\"", "\"99999999999999999999999\"", "\"0x\"", "false", "[]", "{}", "\"bytes33\"",
                "\"uint7\"", "\"int0\"", "null", "1.5").map(to -> MAIL.replaceFirst(java.util.regex.Pattern.quote(from),
                java.util.regex.Matcher.quoteReplacement(to))));
        return Arbitraries.oneOf(replaced, truncated, swapped);
    }

    @Provide
    Arbitrary<byte[]> cidBytes() {
        byte[] good = ContentId.parse("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e").bytes();
        Arbitrary<byte[]> flipped = Arbitraries.integers().between(0, good.length - 1).flatMap(pos ->
                Arbitraries.bytes().map(b -> {
                    byte[] copy = good.clone();
                    copy[pos] = b;
                    return copy;
                }));
        Arbitrary<byte[]> cut = Arbitraries.integers().between(0, good.length).map(n -> Arrays.copyOf(good, n));
        return Arbitraries.oneOf(flipped, cut, Arbitraries.bytes().array(byte[].class).ofMaxSize(40));
    }

    @Provide
    Arbitrary<String> hexish() {
        return Arbitraries.strings().withChars("0123456789abcdefABCDEFxX g").ofMaxLength(140)
                .map(s -> s.length() > 2 && s.hashCode() % 2 == 0 ? "0x" + s : s);
    }
}
