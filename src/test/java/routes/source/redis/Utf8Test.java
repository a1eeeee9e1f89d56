package routes.source.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Utf8Test {

    @ParameterizedTest
    @ValueSource(strings = {"", "41", "c2a9", "e282ac", "f09f9880", "f48fbfbf", "ed9fbf", "efbfbf", "c280", "e0a080"})
    void wellFormedSequencesAreValid(String hex) {
        assertThat(Utf8.isValid(HexFormat.of().parseHex(hex))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"80", "bf", "c0af", "c1bf", "c2", "c241", "e082ac", "eda080", "edbfbf", "e282", "f08f8080",
        "f4908080", "f5808080", "ff", "fe", "f09f98", "e2822c"})
    void overlongSurrogatesTruncatedAndStrayBytesAreNot(String hex) {
        assertThat(Utf8.isValid(HexFormat.of().parseHex(hex))).isFalse();
    }

    @Test
    void agreesWithTheJdkDecoderOnRandomBytes() {
        Random random = new Random(16);
        byte[] alphabet = HexFormat.of().parseHex("00417f80bfc0c1c2dfe0edeff0f4f5ff9fa08f90");
        for (int run = 0; run < 200_000; run++) {
            byte[] bytes = new byte[random.nextInt(8)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = random.nextBoolean() ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
            }
            assertThat(Utf8.isValid(bytes)).as(HexFormat.of().formatHex(bytes)).isEqualTo(jdkAccepts(bytes));
        }
    }

    /** Longer and mostly ASCII, as messages are: the eight-byte ASCII skip meets every kind of byte at every offset. */
    @Test
    void agreesWithTheJdkDecoderOnLongerMostlyAsciiBytes() {
        Random random = new Random(11);
        byte[] alphabet = HexFormat.of().parseHex("00417f80bfc0c1c2dfe0edeff0f4f5ff9fa08f90e282acf09f9880c2a9");
        for (int run = 0; run < 100_000; run++) {
            byte[] bytes = new byte[random.nextInt(48)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = random.nextInt(10) < 8 ? (byte) ('a' + random.nextInt(26)) : alphabet[random.nextInt(alphabet.length)];
            }
            assertThat(Utf8.isValid(bytes)).as(HexFormat.of().formatHex(bytes)).isEqualTo(jdkAccepts(bytes));
        }
    }

    private static boolean jdkAccepts(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
