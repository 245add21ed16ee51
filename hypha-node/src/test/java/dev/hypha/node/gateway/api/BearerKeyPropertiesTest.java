package dev.hypha.node.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;

/** {@link BearerKey} over hostile Authorization headers: it classifies every one and never throws. */
class BearerKeyPropertiesTest {

    @Property(tries = 2000)
    void anyHeaderIsMissingMalformedOrAKeyOfTokenCharacters(@ForAll @StringLength(max = 700) String header) {
        BearerKey.Parsed parsed = BearerKey.parse(Optional.of(header));
        if (parsed instanceof BearerKey.Key(String key)) {
            assertThat(key).matches("[A-Za-z0-9._~+/-]+=*");
            assertThat(header.length()).isLessThanOrEqualTo(512);
        } else if (parsed instanceof BearerKey.Malformed(String why)) {
            assertThat(why).isNotBlank().doesNotContain("\n");
        }
    }

    @Property(tries = 500)
    void aWellFormedBearerHeaderYieldsItsKey(
            @ForAll @CharRange(from = 'a', to = 'z') @CharRange(from = 'A', to = 'Z') @CharRange(from = '0', to = '9')
            @Chars({'-', '_', '.', '~', '+', '/'}) @StringLength(min = 1, max = 100) String key) {
        assertThat(BearerKey.parse(Optional.of("Bearer " + key))).isEqualTo(new BearerKey.Key(key));
        assertThat(BearerKey.parse(Optional.of("bEaReR  " + key + " "))).isEqualTo(new BearerKey.Key(key));
    }

    @Property(tries = 200)
    void blankOrAbsentIsMissing(@ForAll @Chars({' ', '\t'}) @StringLength(max = 5) String blank) {
        assertThat(BearerKey.parse(Optional.of(blank))).isInstanceOf(BearerKey.Missing.class);
        assertThat(BearerKey.parse(Optional.empty())).isInstanceOf(BearerKey.Missing.class);
    }
}
