package dev.hypha.node.compute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/** Only the order's tenant, with a fresh signature over exactly this request, gets through; nothing else throws. */
class TenantAuthTest {
    private static final Credentials TENANT = Credentials.create("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
    private static final Credentials OTHER = Credentials.create("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
    private static final Address MARKET = Address.parse("0x2279b7a0a67db372996a5fab50d91eaa73d2ebe6");
    private static final Address TENANT_ADDRESS = Address.parse(TENANT.getAddress());
    private static final long NOW = 1_800_000_000L;

    private static String sign(Credentials who, long chain, BigInteger order, String action, long expires) {
        return TenantAuth.sign(who, chain, MARKET, order, action, expires);
    }

    @Test
    void theTenantsFreshSignatureOverThisRequestPasses() {
        String sig = sign(TENANT, 31337, BigInteger.TEN, "read", NOW + 60);
        assertThat(TenantAuth.check(sig, Long.toString(NOW + 60), NOW, 31337, MARKET, BigInteger.TEN, "read", TENANT_ADDRESS)).isEmpty();
    }

    @Test
    void anyOtherSignerRequestOrTimeIsRefused() {
        String sig = sign(TENANT, 31337, BigInteger.TEN, "read", NOW + 60);
        String e = Long.toString(NOW + 60);
        assertThat(TenantAuth.check(sign(OTHER, 31337, BigInteger.TEN, "read", NOW + 60), e, NOW, 31337, MARKET, BigInteger.TEN,
                "read", TENANT_ADDRESS)).hasValueSatisfying(m -> assertThat(m).contains("not by the order's tenant"));
        // The same signature presented for another order, action, chain or expiry recovers another signer.
        assertThat(TenantAuth.check(sig, e, NOW, 31337, MARKET, BigInteger.TWO, "read", TENANT_ADDRESS)).isPresent();
        assertThat(TenantAuth.check(sig, e, NOW, 31337, MARKET, BigInteger.TEN, "inputs sha256:00", TENANT_ADDRESS)).isPresent();
        assertThat(TenantAuth.check(sig, e, NOW, 1, MARKET, BigInteger.TEN, "read", TENANT_ADDRESS)).isPresent();
        assertThat(TenantAuth.check(sig, Long.toString(NOW + 61), NOW, 31337, MARKET, BigInteger.TEN, "read", TENANT_ADDRESS)).isPresent();
        assertThat(TenantAuth.check(sig, e, NOW + 61, 31337, MARKET, BigInteger.TEN, "read", TENANT_ADDRESS))
                .hasValueSatisfying(m -> assertThat(m).contains("expired"));
        String far = sign(TENANT, 31337, BigInteger.TEN, "read", NOW + 301);
        assertThat(TenantAuth.check(far, Long.toString(NOW + 301), NOW, 31337, MARKET, BigInteger.TEN, "read", TENANT_ADDRESS))
                .hasValueSatisfying(m -> assertThat(m).contains("more than 300 s ahead"));
        assertThat(TenantAuth.check(null, null, NOW, 31337, MARKET, BigInteger.TEN, "read", TENANT_ADDRESS))
                .hasValueSatisfying(m -> assertThat(m).contains("missing"));
    }

    @Property(tries = 300)
    void hostileHeadersAreRefusedNeverThrown(@ForAll @StringLength(max = 200) String signature,
                                             @ForAll @StringLength(max = 30) String expires,
                                             @ForAll @LongRange(min = 0, max = 4_000_000_000L) long now) {
        assertThat(TenantAuth.check(signature, expires, now, 31337, MARKET, BigInteger.ONE, "read", TENANT_ADDRESS)).isPresent();
    }

    @Property(tries = 100)
    void flippingAnyByteOfTheSignatureRefusesIt(@ForAll @LongRange(min = 0, max = 129) long position) {
        String sig = sign(TENANT, 31337, BigInteger.TEN, "read", NOW + 60);
        int i = 2 + (int) position;
        char c = sig.charAt(i);
        String flipped = sig.substring(0, i) + (c == '0' ? '1' : '0') + sig.substring(i + 1);
        assertThat(TenantAuth.check(flipped, Long.toString(NOW + 60), NOW, 31337, MARKET, BigInteger.TEN, "read", TENANT_ADDRESS))
                .isPresent();
    }
}
