package dev.hypha.node.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.compute.AuditDomain;
import dev.hypha.chain.compute.ResourceAttestation;
import dev.hypha.chain.compute.Resources;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * Attestation files and the provider's checks of them: a signed attestation survives its file; hostile files
 * (malformed JSON, unknown or missing fields, bad hex, wrong lengths, out-of-range numbers, oversized) are refused
 * naming the field; an attestation for another provider or market, expired, or with edited resources is refused
 * before any bid; an offer may not claim other resources than attested, nor carry two from one auditor.
 */
class AttestationFilesTest {
    private static final Credentials AUDITOR = Credentials.create("0x" + "11".repeat(32));
    private static final Credentials PROVIDER = Credentials.create("0x" + "22".repeat(32));
    private static final Address SELF = Address.parse(PROVIDER.getAddress());
    private static final AuditDomain MARKET = new AuditDomain(31337, Address.parse("0x" + "ab".repeat(20)));
    private static final Resources MACHINE = new Resources(4, 8192, 1);
    private static final long NOW = 1_800_000_000L;

    private static ResourceAttestation signed(Address provider, Resources r, long expiresAt) {
        return MARKET.attest(Address.parse(AUDITOR.getAddress()), provider, r, expiresAt, d -> Eip712.sign(d, AUDITOR));
    }

    private static String file() {
        return AttestationFiles.toJson(signed(SELF, MACHINE, NOW + 3600));
    }

    private static ResourceAttestation parse(String text) {
        return AttestationFiles.parse("a.json", text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSignedAttestationSurvivesItsFileAndPassesTheChecks() {
        ResourceAttestation a = signed(SELF, MACHINE, NOW + 3600);
        ResourceAttestation read = parse(AttestationFiles.toJson(a));
        assertThat(read).isEqualTo(a);
        assertThat(ComputeOffer.check(read, SELF, MARKET, NOW)).isEqualTo(a);
        assertThat(AttestationFiles.toJson(a)).contains("\"type\" : \"hypha-audited-resources/1\"", "\"cores\" : 4",
                "\"memoryMiB\" : 8192", "\"expiresAt\" : " + (NOW + 3600));
    }

    @Test
    void hostileFilesAreRefusedNamingTheField() {
        String good = file();
        assertThatThrownBy(() -> parse("{\"type\":")).hasMessageStartingWith("attestation a.json is not JSON");
        assertThatThrownBy(() -> parse("[1,2]")).hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> parse(good + " {}")).hasMessageStartingWith("attestation a.json is not JSON");
        assertThatThrownBy(() -> parse(good.replace("\"cores\"", "\"kernels\"")))
                .hasMessageContaining("unknown field 'kernels'");
        assertThatThrownBy(() -> parse(good.replaceAll("\"provider\" : \"[^\"]*\",", "")))
                .hasMessageContaining("field 'provider' is missing");
        assertThatThrownBy(() -> parse(good.replace("hypha-audited-resources/1", "something-else")))
                .hasMessageContaining("field 'type' must be");
        assertThatThrownBy(() -> parse(good.replaceAll("\"signature\" : \"0x[0-9a-f]{4}", "\"signature\" : \"0xzz12")))
                .hasMessageContaining("field 'signature'").hasMessageContaining("not a hex byte string");
        assertThatThrownBy(() -> parse(good.replaceAll("(\"signature\" : \"0x[0-9a-f]*)[0-9a-f]{2}\"", "$1\"")))
                .hasMessageContaining("field 'signature'").hasMessageContaining("must be 65 bytes");
        assertThatThrownBy(() -> parse(good.replaceAll("\"market\" : \"0x[0-9a-fA-F]{2}", "\"market\" : \"0x")))
                .hasMessageContaining("field 'market'").hasMessageContaining("not an Ethereum address");
        assertThatThrownBy(() -> parse(good.replace("\"cores\" : 4", "\"cores\" : 4294967296")))
                .hasMessageContaining("field 'cores' must be a whole number 0 .. 4294967295");
        assertThatThrownBy(() -> parse(good.replace("\"cores\" : 4", "\"cores\" : -1"))).hasMessageContaining("field 'cores'");
        assertThatThrownBy(() -> parse(good.replace("\"cores\" : 4", "\"cores\" : \"4\""))).hasMessageContaining("field 'cores'");
        assertThatThrownBy(() -> parse(good.replace("\"cores\" : 4", "\"cores\" : 4.5"))).hasMessageContaining("field 'cores'");
        assertThatThrownBy(() -> parse(good.replaceAll("\"expiresAt\" : [0-9]+", "\"expiresAt\" : 99999999999999999999999")))
                .hasMessageContaining("field 'expiresAt'");
        assertThatThrownBy(() -> parse(good.replaceAll("\"chainId\" : [0-9]+", "\"chainId\" : 0")))
                .hasMessageContaining("field 'chainId'");
        assertThatThrownBy(() -> parse(" ".repeat(AttestationFiles.MAX_BYTES) + good)).hasMessageContaining("at most 4096");
        assertThatThrownBy(() -> parse("")).isInstanceOf(HyphaException.class);
    }

    @Test
    void attestationsThisProviderCannotUseAreRefusedBeforeAnyBid() {
        assertThatThrownBy(() -> ComputeOffer.check(signed(Address.parse(AUDITOR.getAddress()), MACHINE, NOW + 3600), SELF,
                MARKET, NOW)).hasMessageContaining("attests provider " + Address.parse(AUDITOR.getAddress()).toChecksumString()
                + ", not this provider");
        assertThatThrownBy(() -> ComputeOffer.check(signed(SELF, MACHINE, NOW), SELF, MARKET, NOW))
                .hasMessageContaining("expired");
        ResourceAttestation a = signed(SELF, MACHINE, NOW + 3600);
        ResourceAttestation edited = parse(AttestationFiles.toJson(a).replace("\"cores\" : 4", "\"cores\" : 8"));
        assertThatThrownBy(() -> ComputeOffer.check(edited, SELF, MARKET, NOW))
                .hasMessageContaining("signature is not auditor");
        assertThatThrownBy(() -> ComputeOffer.check(a, SELF, new AuditDomain(1, MARKET.market()), NOW))
                .hasMessageContaining("on chain 31337, and this provider bids on");
    }

    @Test
    void anOfferMayNotClaimOtherResourcesThanAttested() {
        PricingPolicy price = PricingPolicy.fixed(BigInteger.TEN);
        ResourceAttestation a = signed(SELF, MACHINE, NOW + 3600);
        assertThatThrownBy(() -> new ComputeOffer(price, new Resources(8, 8192, 1), 1, JobLimits.DEFAULT, List.of(a)))
                .hasMessageContaining("claims more than attested (8 cores > 4)");
        assertThatThrownBy(() -> new ComputeOffer(price, new Resources(2, 8192, 1), 1, JobLimits.DEFAULT, List.of(a)))
                .hasMessageContaining("states exactly the attested resources");
        assertThatThrownBy(() -> new ComputeOffer(price, MACHINE, 1, JobLimits.DEFAULT, List.of(a, a)))
                .hasMessageContaining("two attestations from auditor");
        assertThat(new ComputeOffer(price, MACHINE, 1, JobLimits.DEFAULT, List.of(a)).attestationBy(a.auditor())).contains(a);
    }
}
