package routes.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The hand-written reader answers what the tree reader's regular expression and UUID.fromString answer. */
class UuidTextTest {

    @Property(tries = 5000)
    void readsExactlyWhatTheExpressionAccepts(@ForAll("nearlyUuids") String text) {
        UUID expected = EventParser.UUID_FORMAT.matcher(text).matches() ? UUID.fromString(text) : null;

        assertThat(UuidText.parse(text)).isEqualTo(expected);
    }

    @Test
    void refusesDigitsOfOtherScriptsAndWideLetters() {
        assertThat(UuidText.parse("5a1e0c4a-0a5e-4b1c-8000-00000000000\u0663")).isNull();
        assertThat(UuidText.parse("5a1e0c4a-0a5e-4b1c-8000-00000000000\uFF21")).isNull();
        assertThat(UuidText.parse("5A1E0C4A-0A5E-4B1C-8000-0000000000FF"))
                .isEqualTo(UUID.fromString("5a1e0c4a-0a5e-4b1c-8000-0000000000ff"));
    }

    /** UUIDs in either case, some with one character replaced, inserted or removed. */
    @Provide
    Arbitrary<String> nearlyUuids() {
        Arbitrary<String> uuids = Arbitraries.create(UUID::randomUUID).map(UUID::toString)
                .flatMap(u -> Arbitraries.of(u, u.toUpperCase()));
        Arbitrary<Character> odd = Arbitraries.of('-', 'g', 'G', 'F', '0', ' ', '\u0663', '\uFF21', 'z', '/', ':', '@', '`');
        return Combinators.combine(uuids, Arbitraries.integers().between(0, 36), odd, Arbitraries.integers().between(0, 3))
                .as((uuid, at, c, how) -> switch (how) {
                    case 0 -> uuid;
                    case 1 -> uuid.substring(0, Math.min(at, 35)) + c + uuid.substring(Math.min(at, 35) + 1);
                    case 2 -> uuid.substring(0, at) + c + uuid.substring(at);
                    default -> uuid.substring(0, Math.min(at, 35)) + uuid.substring(Math.min(at, 35) + 1);
                });
    }
}
