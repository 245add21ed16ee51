package dev.hypha.node.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.compute.Resources;
import java.math.BigInteger;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * The pricing policy's rules: monotone in every resource and in busyness, never above the order's maximum (then no
 * bid), never below the minimum, rounding up once to a whole unit, exact at the largest amounts; a fixed price is the
 * policy with only a flat part.
 */
class PricingPolicyTest {
    @Provide
    Arbitrary<PricingPolicy> policies() {
        Arbitrary<BigInteger> rate = Arbitraries.oneOf(Arbitraries.just(BigInteger.ZERO),
                Arbitraries.longs().between(0, 10_000_000).map(BigInteger::valueOf),
                Arbitraries.bigIntegers().between(BigInteger.ZERO, PricingPolicy.MAX_UNITS));
        return Combinators.combine(rate, rate, rate, rate,
                        Arbitraries.bigIntegers().between(BigInteger.ONE, PricingPolicy.MAX_UNITS),
                        Arbitraries.integers().between(0, PricingPolicy.MAX_MARKUP_BPS))
                .as(PricingPolicy::new);
    }

    @Provide
    Arbitrary<Resources> needs() {
        Arbitrary<Long> n = Arbitraries.longs().between(0, 0xFFFF_FFFFL);
        return Combinators.combine(n, n, n).as(Resources::new);
    }

    @Property(tries = 300)
    void moreOfAnyResourceNeverCostsLess(@ForAll("policies") PricingPolicy p, @ForAll("needs") Resources r,
                                         @ForAll @IntRange(min = 0, max = 2) int which, @ForAll @LongRange(min = 1, max = 1 << 20) long more,
                                         @ForAll boolean busy) {
        Resources bigger = switch (which) {
            case 0 -> new Resources(Math.min(r.cores() + more, 0xFFFF_FFFFL), r.memoryMiB(), r.accelerators());
            case 1 -> new Resources(r.cores(), Math.min(r.memoryMiB() + more, 0xFFFF_FFFFL), r.accelerators());
            default -> new Resources(r.cores(), r.memoryMiB(), Math.min(r.accelerators() + more, 0xFFFF_FFFFL));
        };
        assertThat(p.quote(bigger, busy)).isGreaterThanOrEqualTo(p.quote(r, busy));
        assertThat(p.quote(r, true)).isGreaterThanOrEqualTo(p.quote(r, false));
    }

    @Property(tries = 300)
    void aBidIsWithinTheMinimumAndTheOrdersMaximumOrThereIsNone(@ForAll("policies") PricingPolicy p,
                                                                 @ForAll("needs") Resources r, @ForAll boolean busy,
                                                                 @ForAll @LongRange(min = 1) long max) {
        BigInteger maxPrice = BigInteger.valueOf(max);
        Optional<BigInteger> price = p.price(r, maxPrice, busy);
        BigInteger quote = p.quote(r, busy);
        assertThat(quote).isGreaterThanOrEqualTo(p.minPrice());
        if (price.isPresent()) {
            assertThat(price.get()).isEqualTo(quote).isLessThanOrEqualTo(maxPrice).isGreaterThanOrEqualTo(p.minPrice());
        } else {
            assertThat(quote).isGreaterThan(maxPrice);
        }
    }

    @Property(tries = 300)
    void theQuoteIsTheExactPriceRoundedUpOnce(@ForAll("policies") PricingPolicy p, @ForAll("needs") Resources r,
                                              @ForAll boolean busy) {
        // the price a reader works out by hand, in exact fractions: (flat + rates x needs) x (1 + markup), then up
        java.math.BigDecimal exact = new java.math.BigDecimal(p.flatPerHour()
                        .add(p.perCoreHour().multiply(BigInteger.valueOf(r.cores())))
                        .add(p.perAcceleratorHour().multiply(BigInteger.valueOf(r.accelerators()))))
                .add(new java.math.BigDecimal(p.perGiBHour().multiply(BigInteger.valueOf(r.memoryMiB())))
                        .divide(java.math.BigDecimal.valueOf(1024)))
                .multiply(java.math.BigDecimal.ONE.add(java.math.BigDecimal.valueOf(busy ? p.busyMarkupBps() : 0, 4)));
        BigInteger up = exact.setScale(0, java.math.RoundingMode.CEILING).toBigIntegerExact();
        assertThat(p.quote(r, busy)).isEqualTo(up.max(p.minPrice()));
    }

    @Test
    void aWorkedExample() {
        // 100000 flat + 200000 a core + 50000 a GiB, at least 300000, 25% more when busy
        PricingPolicy p = new PricingPolicy(BigInteger.valueOf(100_000), BigInteger.valueOf(200_000),
                BigInteger.valueOf(50_000), BigInteger.ZERO, BigInteger.valueOf(300_000), 2500);
        Resources twoCores1536 = new Resources(2, 1536, 0);
        assertThat(p.quote(twoCores1536, false)).isEqualTo(575_000); // 100000 + 400000 + 75000
        assertThat(p.quote(twoCores1536, true)).isEqualTo(718_750);
        assertThat(p.quote(new Resources(0, 1, 0), false)).isEqualTo(300_000); // the minimum
        assertThat(p.price(twoCores1536, BigInteger.valueOf(700_000), true)).isEmpty();
        assertThat(p.price(twoCores1536, BigInteger.valueOf(700_000), false)).contains(BigInteger.valueOf(575_000));
        // one MiB at 1 unit per GiB still costs a whole unit: rounding is up
        assertThat(new PricingPolicy(BigInteger.ZERO, BigInteger.ZERO, BigInteger.ONE, BigInteger.ZERO, BigInteger.ONE, 0)
                .quote(new Resources(0, 1, 0), false)).isEqualTo(1);
    }

    @Test
    void aFixedPriceIsThePolicyWithOnlyAFlatPart() {
        PricingPolicy fixed = PricingPolicy.fixed(BigInteger.valueOf(1_800_000));
        assertThat(fixed.quote(new Resources(64, 1 << 20, 8), true)).isEqualTo(1_800_000);
        assertThat(fixed.price(new Resources(1, 1, 0), BigInteger.valueOf(1_799_999), false)).isEmpty();
        assertThat(fixed.describe()).isEqualTo("1800000 units/hour");
        assertThat(new ComputeOffer(BigInteger.valueOf(7), new Resources(1, 1, 0), 1, JobLimits.DEFAULT).pricing())
                .isEqualTo(PricingPolicy.fixed(BigInteger.valueOf(7)));
    }

    @Test
    void outOfRangeTermsAreRefusedByName() {
        BigInteger tooMuch = PricingPolicy.MAX_UNITS.add(BigInteger.ONE);
        assertThatThrownBy(() -> new PricingPolicy(BigInteger.ZERO, tooMuch, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ONE, 0))
                .hasMessageContaining("price per core-hour");
        assertThatThrownBy(() -> new PricingPolicy(BigInteger.ONE, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO,
                BigInteger.ZERO, 0)).hasMessageContaining("minimum price must be at least 1");
        assertThatThrownBy(() -> new PricingPolicy(BigInteger.ONE, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO,
                BigInteger.ONE, 100_001)).hasMessageContaining("busy markup");
        assertThatThrownBy(() -> PricingPolicy.fixed(BigInteger.ZERO)).hasMessageContaining("minimum price");
    }

    @Test
    void busyMeansMoreThanHalfTheSlotsInUse() {
        assertThat(PricingPolicy.busy(0, 1)).isFalse();
        assertThat(PricingPolicy.busy(1, 2)).isFalse();
        assertThat(PricingPolicy.busy(2, 3)).isTrue();
        assertThat(PricingPolicy.busy(3, 4)).isTrue();
    }
}
