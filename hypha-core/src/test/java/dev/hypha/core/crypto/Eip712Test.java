package dev.hypha.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.ECKeyPair;

/** The Mail example of the EIP-712 specification, and what must fail when anything signed changes. */
class Eip712Test {
    /** The spec's signer: private key keccak256("cow"). */
    static final ECKeyPair COW = ECKeyPair.create(Hashes.keccak256("cow".getBytes(StandardCharsets.UTF_8)));
    static final Address COW_ADDRESS = Address.parse("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826");
    static final String SPEC_DIGEST = "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2";
    static final String SPEC_SIGNATURE = "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"
            + "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b915621c";

    static final String MAIL_JSON = """
            {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},
              {"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
              "Person":[{"name":"name","type":"string"},{"name":"wallet","type":"address"}],
              "Mail":[{"name":"from","type":"Person"},{"name":"to","type":"Person"},{"name":"contents","type":"string"}]},
             "primaryType":"Mail",
             "domain":{"name":"Ether Mail","version":"1","chainId":1,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
             "message":{"from":{"name":"Cow","wallet":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
                        "to":{"name":"Bob","wallet":"0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
                        "contents":"Hello, Bob!"}}""";

    static TypedData mail(String contents, long chainId, String contract) {
        Map<String, List<TypedData.Field>> types = Map.of(
                "Person", List.of(new TypedData.Field("name", "string"), new TypedData.Field("wallet", "address")),
                "Mail", List.of(new TypedData.Field("from", "Person"), new TypedData.Field("to", "Person"),
                        new TypedData.Field("contents", "string")));
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("from", Map.of("name", "Cow", "wallet", COW_ADDRESS));
        message.put("to", Map.of("name", "Bob", "wallet", Address.parse("0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB")));
        message.put("contents", contents);
        return TypedData.of(TypedData.Domain.of("Ether Mail", "1", chainId, Address.parse(contract)), types, "Mail", message);
    }

    static TypedData specMail() {
        return mail("Hello, Bob!", 1, "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC");
    }

    @Test
    void cowKeyHasTheSpecAddress() {
        assertThat(Address.of(COW)).isEqualTo(COW_ADDRESS);
    }

    @Test
    void mailBuiltInJavaHashesToTheSpecDigest() {
        assertThat(Hex.encode(Eip712.hash(specMail()))).isEqualTo(SPEC_DIGEST);
    }

    @Test
    void mailReadFromJsonHashesToTheSpecDigest() {
        assertThat(Hex.encode(Eip712.hash(TypedData.fromJson(MAIL_JSON)))).isEqualTo(SPEC_DIGEST);
    }

    @Test
    void encodeTypeAndTypeHashMatchTheSpec() {
        assertThat(Eip712.encodeType(specMail(), "Mail"))
                .isEqualTo("Mail(Person from,Person to,string contents)Person(string name,address wallet)");
        assertThat(Hex.encode(Eip712.typeHash(specMail(), "Mail")))
                .isEqualTo("0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2");
    }

    @Test
    void messageStructHashMatchesTheSpec() {
        assertThat(Hex.encode(Eip712.hashStruct(specMail())))
                .isEqualTo("0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e");
    }

    @Test
    void domainSeparatorMatchesTheSpec() {
        assertThat(Hex.encode(Eip712.domainSeparator(specMail())))
                .isEqualTo("0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
    }

    @Test
    void signingGivesTheSpecSignatureAndRecoversTheCow() {
        Signature signature = Eip712.sign(specMail(), COW);
        assertThat(signature.toHex()).isEqualTo(SPEC_SIGNATURE);
        assertThat(signature.v()).isEqualTo(28);
        assertThat(Eip712.recoverSigner(specMail(), signature)).isEqualTo(COW_ADDRESS);
        assertThat(Eip712.verify(specMail(), signature, COW_ADDRESS)).isTrue();
    }

    @Test
    void jsonRoundTripKeepsTheDigest() {
        TypedData again = TypedData.fromJson(specMail().toJson());
        assertThat(again).isEqualTo(TypedData.fromJson(MAIL_JSON));
        assertThat(Eip712.hash(again)).isEqualTo(Eip712.hash(specMail()));
    }

    @Test
    void tamperedMessageDomainOrChainDoesNotVerify() {
        Signature signature = Signature.fromHex(SPEC_SIGNATURE);
        assertThat(Eip712.verify(mail("Hello, Bob?", 1, "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"), signature, COW_ADDRESS)).isFalse();
        assertThat(Eip712.verify(mail("Hello, Bob!", 31337, "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"), signature, COW_ADDRESS)).isFalse();
        assertThat(Eip712.verify(mail("Hello, Bob!", 1, "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"), signature, COW_ADDRESS)).isFalse();
        TypedData otherName = TypedData.of(new TypedData.Domain("Other Mail", "1", BigInteger.ONE,
                Address.parse("0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC")), specMail().types(), "Mail", specMail().message());
        assertThat(Eip712.verify(otherName, signature, COW_ADDRESS)).isFalse();
    }

    @Test
    void highSSignatureIsRejectedAsMalleable() {
        Signature good = Signature.fromHex(SPEC_SIGNATURE);
        BigInteger highS = Signature.CURVE_ORDER.subtract(good.s());
        byte[] packed = good.toBytes();
        System.arraycopy(org.web3j.utils.Numeric.toBytesPadded(highS, 32), 0, packed, 32, 32);
        packed[64] = (byte) (good.v() == 27 ? 28 : 27);
        assertThatThrownBy(() -> Signature.fromBytes(packed))
                .isInstanceOf(HyphaException.class).hasMessageContaining("malleable");
    }

    @Test
    void wrongLengthSignatureNamesTheLength() {
        assertThatThrownBy(() -> Signature.fromBytes(new byte[64]))
                .isInstanceOf(HyphaException.class).hasMessage("a signature is 65 bytes (r, s, v), got 64 bytes");
        assertThatThrownBy(() -> Signature.fromHex("0x1234"))
                .isInstanceOf(HyphaException.class).hasMessageContaining("got 2 bytes");
    }

    @Test
    void signatureAcceptsZeroOneRecoveryByte() {
        byte[] packed = Signature.fromHex(SPEC_SIGNATURE).toBytes();
        packed[64] = 1;
        assertThat(Signature.fromBytes(packed).v()).isEqualTo(28);
    }

    @Test
    void messageWithMissingExtraOrMistypedFieldIsRejected() {
        TypedData good = specMail();
        Map<String, Object> missing = new LinkedHashMap<>(good.message());
        missing.remove("contents");
        assertThatThrownBy(() -> TypedData.of(good.domain(), good.types(), "Mail", missing))
                .hasMessageContaining("missing field 'contents'");
        Map<String, Object> extra = new LinkedHashMap<>(good.message());
        extra.put("bcc", "Eve");
        assertThatThrownBy(() -> TypedData.of(good.domain(), good.types(), "Mail", extra))
                .hasMessageContaining("'bcc'").hasMessageContaining("would not be signed");
        Map<String, Object> badWallet = new LinkedHashMap<>(good.message());
        badWallet.put("to", Map.of("name", "Bob", "wallet", "0x1234"));
        assertThatThrownBy(() -> TypedData.of(good.domain(), good.types(), "Mail", badWallet))
                .hasMessageContaining("not an Ethereum address");
    }

    @Test
    void uintOutOfRangeIsRejected() {
        var types = Map.of("Voucher", List.of(new TypedData.Field("amount", "uint8")));
        var domain = TypedData.Domain.of("Hypha", "1", 31337, Address.ZERO);
        assertThat(Eip712.hash(TypedData.of(domain, types, "Voucher", Map.of("amount", 255)))).hasSize(32);
        assertThatThrownBy(() -> TypedData.of(domain, types, "Voucher", Map.of("amount", 256)))
                .hasMessageContaining("out of range for uint8");
        assertThatThrownBy(() -> TypedData.of(domain, types, "Voucher", Map.of("amount", -1)))
                .hasMessageContaining("out of range for uint8");
    }

    @Test
    void malformedJsonGivesAClearError() {
        assertThatThrownBy(() -> TypedData.fromJson("{")).isInstanceOf(HyphaException.class)
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> TypedData.fromJson("[]")).hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> TypedData.fromJson(MAIL_JSON.replace("\"primaryType\":\"Mail\"", "\"primaryType\":\"Letter\"")))
                .hasMessageContaining("primaryType 'Letter'");
        assertThatThrownBy(() -> TypedData.fromJson(MAIL_JSON.replace("\"type\":\"Person\"}", "\"type\":\"Persn\"}")))
                .hasMessageContaining("unknown type 'Persn'");
        assertThatThrownBy(() -> TypedData.fromJson(MAIL_JSON.replace("\"version\":\"1\"", "\"version\":1")))
                .hasMessage("EIP-712 domain.version must be a string, got number");
    }
}
