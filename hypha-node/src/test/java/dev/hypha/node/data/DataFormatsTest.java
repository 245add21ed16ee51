package dev.hypha.node.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.web3j.crypto.Credentials;

/**
 * The two texts {@code hypha data} reads from outside, as hostile input: datasheets (fetched from a gateway) and data
 * key cards (pasted by a user). Any bytes are a valid value or an INPUT error with a message; valid ones round-trip,
 * and a changed byte in a card's key or signature never yields a card for the expected account with another key.
 */
class DataFormatsTest {
    private static final Credentials ALICE = Credentials.create("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
    private static final Credentials BOB = Credentials.create("0x8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f");

    @Property(tries = 300)
    void datasheetsRoundTrip(@ForAll("names") String name, @ForAll @LongRange(min = 0, max = 1L << 50) long size,
                             @ForAll boolean directory, @ForAll byte[] content) {
        Datasheet sheet = new Datasheet(directory ? Datasheet.Kind.DIRECTORY : Datasheet.Kind.FILE, name,
                ContentIds.of(content), size);
        assertThat(Datasheet.decode("t", sheet.encode())).isEqualTo(sheet);
    }

    @Provide
    Arbitrary<String> names() {
        StringBuilder allowed = new StringBuilder();
        for (char c = ' '; c <= '~'; c++) {
            if (c != '/' && c != '\\') allowed.append(c);
        }
        return Arbitraries.strings().withChars(allowed.toString().toCharArray()).ofMinLength(1).ofMaxLength(255)
                .filter(s -> !s.equals(".") && !s.equals(".."));
    }

    @Property(tries = 1000)
    void anyBytesAreADatasheetOrAnInputError(@ForAll byte[] bytes) {
        try {
            Datasheet.decode("t", bytes);
        } catch (HyphaException e) {
            assertThat(e.getMessage()).startsWith("the datasheet t ");
        }
    }

    @Property(tries = 500)
    void mutatedDatasheetsAreRefusedOrCanonical(@ForAll @IntRange(min = 0, max = 10_000) int at, @ForAll byte value) {
        byte[] good = new Datasheet(Datasheet.Kind.FILE, "faces.csv", ContentIds.of(new byte[] {1}), 1234).encode();
        byte[] bad = good.clone();
        bad[at % bad.length] = value;
        try {
            Datasheet d = Datasheet.decode("t", bad);
            assertThat(d.encode()).isEqualTo(bad); // whatever parses is exactly its canonical form
        } catch (HyphaException e) {
            assertThat(e.getMessage()).startsWith("the datasheet t ");
        }
    }

    @Example
    void nonCanonicalOrUnknownFieldsAreRefused() {
        String cid = ContentIds.of(new byte[] {1}).toString();
        String spaced = "{\"format\": \"hypha-sealed-data/1\",\"kind\":\"file\",\"name\":\"a\",\"plaintext\":\"" + cid
                + "\",\"size\":1}";
        assertThatThrownBy(() -> Datasheet.decode("t", spaced.getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("canonical");
        String extra = "{\"extra\":1,\"format\":\"hypha-sealed-data/1\",\"kind\":\"file\",\"name\":\"a\",\"plaintext\":\""
                + cid + "\",\"size\":1}";
        assertThatThrownBy(() -> Datasheet.decode("t", extra.getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("expected exactly");
        String traversal = "{\"format\":\"hypha-sealed-data/1\",\"kind\":\"file\",\"name\":\"../x\",\"plaintext\":\""
                + cid + "\",\"size\":1}";
        assertThatThrownBy(() -> Datasheet.decode("t", traversal.getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("without /");
    }

    @Example
    void aCardNamesItsSignerAndIsRefusedForAnyoneElse() {
        DataKeyCard card = DataKeyCard.of(ALICE);
        Address alice = Address.parse(ALICE.getAddress());
        DataKeyCard parsed = DataKeyCard.parse(card.text(), alice);
        assertThat(parsed.publicKey()).isEqualTo(card.publicKey());
        assertThatThrownBy(() -> DataKeyCard.parse(card.text(), Address.parse(BOB.getAddress())))
                .hasMessageContaining("signed by " + alice.toChecksumString());
    }

    @Property(tries = 300)
    void aChangedCharacterNeverGivesTheSignerAnotherKey(@ForAll @IntRange(min = 5, max = 200) int at,
                                                        @ForAll("hexDigits") char digit) {
        DataKeyCard card = DataKeyCard.of(ALICE);
        String text = card.text();
        int i = at % text.length();
        if (text.charAt(i) == ':' || text.charAt(i) == 'x') return;
        String changed = text.substring(0, i) + digit + text.substring(i + 1);
        try {
            DataKeyCard parsed = DataKeyCard.parse(changed, Address.parse(ALICE.getAddress()));
            assertThat(parsed.publicKey()).isEqualTo(card.publicKey()); // only a no-op change (same digit) survives
        } catch (HyphaException e) {
            assertThat(e.getMessage()).containsAnyOf("signed by", "unreadable", "not a data key card");
        }
    }

    @Provide
    Arbitrary<Character> hexDigits() {
        return Arbitraries.of('0', '1', '7', '9', 'a', 'c', 'f', 'A', 'F');
    }

    @Property(tries = 500)
    void anyTextIsACardOrAnInputError(@ForAll String text) {
        try {
            DataKeyCard.parse(text);
        } catch (HyphaException e) {
            assertThat(e.getMessage()).containsAnyOf("not a data key card", "unreadable");
        }
    }
}
