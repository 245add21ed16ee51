package dev.hypha.ml.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelNameTest {

    @Test
    void theTagDefaultsToLatest() {
        assertThat(ModelName.parse("llama3.2")).isEqualTo(new ModelName("llama3.2", "latest"));
        assertThat(ModelName.parse("tiny-llama:1b-Q4_K_M")).isEqualTo(new ModelName("tiny-llama", "1b-Q4_K_M"));
        assertThat(ModelName.parse("a:b").toString()).isEqualTo("a:b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Llama", "../etc", "a/b", ".hidden", "-x", "a:", ":tag", "a:b:c", "a b", "a:../x",
        "a:.x", "name\u0000", "ünicode"})
    void badNamesAreInputErrorsThatSayWhatIsAllowed(String text) {
        assertThatThrownBy(() -> ModelName.parse(text))
                .isInstanceOf(HyphaException.class)
                .hasMessageContaining("invalid model")
                .extracting(e -> ((HyphaException) e).category()).isEqualTo(ErrorCategory.INPUT);
    }

    @Test
    void namesLongerThan64CharactersAreRejected() {
        assertThat(ModelName.parse("a".repeat(64)).name()).hasSize(64);
        assertThatThrownBy(() -> ModelName.parse("a".repeat(65))).hasMessageContaining("1-64");
    }

    /** Whatever the text, parsing either fails with an input error or gives a name that is one safe path segment. */
    @Property
    void anyTextParsesToASafeNameOrAnInputError(@ForAll @StringLength(max = 80) String text) {
        try {
            ModelName name = ModelName.parse(text);
            assertThat(ModelName.parse(name.toString())).isEqualTo(name);
            for (String part : new String[] {name.name(), name.tag()}) {
                assertThat(part).doesNotContain("/", "\\", ":").isNotIn(".", "..");
                assertThat(part.charAt(0)).isNotEqualTo('.');
            }
        } catch (HyphaException e) {
            assertThat(e.category()).isEqualTo(ErrorCategory.INPUT);
        }
    }
}
