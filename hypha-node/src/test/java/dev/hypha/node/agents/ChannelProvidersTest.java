package dev.hypha.node.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.offers.Offer;
import dev.hypha.node.offers.OfferSource;
import dev.hypha.node.x402.MeteredCompletions;
import java.math.BigInteger;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A served agent's channel provider chosen from offers ({@code serve.channel.model}) by the gateway's own ranking:
 * the cheapest live offer for the model, in the account's token, from a provider the budget allows, under
 * {@code maxPrice}; none such is a clear error; a URL names its provider whatever the offers say.
 */
class ChannelProvidersTest {
    private static final Instant NOW = Instant.parse("2026-12-08T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Address TOKEN = addr(0xee);
    private static final Address A = addr(0xa1);
    private static final Address B = addr(0xb2);
    private static final Address C = addr(0xc3);

    private static Address addr(int b) {
        return Address.parse("0x" + String.format("%02x", b).repeat(20));
    }

    private static Offer offer(Address provider, String model, long in, long out, Address token, Instant until) {
        return new Offer(provider, URI.create("http://127.0.0.1:" + (40_000 + (provider.bytes()[0] & 0xff)) + "/"),
                provider, model, "0x" + "ab".repeat(32), token, BigInteger.valueOf(in), BigInteger.valueOf(out), 2048, 4,
                until);
    }

    private static final Instant LIVE = NOW.plusSeconds(60);
    private static final List<Offer> OFFERS = List.of(
            offer(A, "hypha-tiny:latest", 100, 200, TOKEN, LIVE),            // 300 per million in and out
            offer(B, "hypha-tiny", 50, 150, TOKEN, LIVE),                    // 200: the cheapest allowed
            offer(C, "hypha-tiny", 10, 10, TOKEN, LIVE),                     // cheapest, not in budget.allow
            offer(A, "other", 1, 1, TOKEN, LIVE),                            // another model
            offer(B, "hypha-tiny", 1, 1, addr(0x01), LIVE),                  // another token
            offer(A, "hypha-tiny", 1, 1, TOKEN, NOW.minusSeconds(1)));       // lapsed

    private static ChannelProviders.Provider choose(String maxPrice, Set<Address> allowed) {
        return choose(maxPrice, allowed, Set.of());
    }

    private static ChannelProviders.Provider choose(String maxPrice, Set<Address> allowed, Set<Address> excluded) {
        AgentSpec.InferenceChannel spec = new AgentSpec.InferenceChannel(Optional.empty(), Optional.of("hypha-tiny"),
                Optional.ofNullable(maxPrice), "0.005");
        OfferSource source = () -> OFFERS;
        return ChannelProviders.choose(spec, Optional.of(source), allowed, excluded, TOKEN, 31_337L, "agent-model", CLOCK);
    }

    @Test
    void picksTheCheapestLiveOfferOfAnAllowedProviderInTheAccountsToken() {
        ChannelProviders.Provider p = choose(null, Set.of(A, B));
        assertThat(p.payee()).contains(B);
        assertThat(p.offer().orElseThrow().inputPerMillion()).isEqualTo(BigInteger.valueOf(50));
        assertThat(p.url()).isEqualTo(URI.create("http://127.0.0.1:" + (40_000 + 0xb2) + MeteredCompletions.PATH));
        assertThat(p.model()).isEqualTo("hypha-tiny");
        // allowing C too: it is cheaper still
        assertThat(choose(null, Set.of(A, B, C)).payee()).contains(C);
        // a cap of 0.00025 hUSD (250 units) per million still admits B; 0.0002 is B's price exactly
        assertThat(choose("0.00025", Set.of(A, B)).payee()).contains(B);
        assertThat(choose("0.0002", Set.of(A, B)).payee()).contains(B);
    }

    @Test
    void noUsableOfferIsAClearError() {
        assertThatThrownBy(() -> choose("0.000199", Set.of(A, B))).isInstanceOf(HyphaException.class)
                .hasMessageContaining("no usable offer for hypha-tiny: 5 published for it")
                .hasMessageContaining("at most 0.000199 hUSD per million tokens");
        assertThatThrownBy(() -> choose(null, Set.of(addr(0x99)))).isInstanceOf(HyphaException.class)
                .hasMessageContaining("from a provider in budget.allow");
        assertThatThrownBy(() -> choose(null, Set.of())).isInstanceOf(HyphaException.class)
                .hasMessageContaining("budget.allow, and it lists none");
    }

    @Test
    void aProviderThatFailedIsPassedOverForTheNextOfferAndNoneLeftIsAClearError() {
        assertThat(choose(null, Set.of(A, B), Set.of(B)).payee()).contains(A);
        assertThatThrownBy(() -> choose(null, Set.of(A, B), Set.of(A, B))).isInstanceOf(HyphaException.class)
                .hasMessageContaining("other than those that failed it [")
                .hasMessageContaining(A.toChecksumString()).hasMessageContaining(B.toChecksumString());
    }

    @Test
    void aUrlNamesItsProviderWhateverTheOffersSay() {
        URI url = URI.create("http://127.0.0.1:9/provider/v1/x402/completions");
        ChannelProviders.Provider p = ChannelProviders.choose(new AgentSpec.InferenceChannel(url, "0.005"),
                Optional.empty(), Set.of(), Set.of(), TOKEN, 31_337L, "agent-model", CLOCK);
        assertThat(p.url()).isEqualTo(url);
        assertThat(p.payee()).isEmpty();
        assertThat(p.model()).isEqualTo("agent-model");
    }
}
