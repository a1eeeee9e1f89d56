package routes.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class StoredPayloadTest {

    private static final int PREFIX = 64;

    @Test
    void aTooLargeBodyKeepsItsPrefixItsSizeAndTheSha256OfTheWhole() {
        byte[] body = ("{\"pad\":\"" + "x".repeat(1000) + "\"}").getBytes(StandardCharsets.UTF_8);
        StoredPayload kept = StoredPayload.of(body, "too_large", PREFIX);
        assertThat(kept.text()).isEqualTo(new String(body, 0, PREFIX, StandardCharsets.UTF_8));
        assertThat(kept.headers())
                .containsEntry(DeadLetterHeaders.PAYLOAD_TRUNCATED, "true")
                .containsEntry(DeadLetterHeaders.PAYLOAD_SIZE, Integer.toString(body.length))
                .containsEntry(DeadLetterHeaders.PAYLOAD_SHA256, StoredPayload.sha256(body))
                .doesNotContainKey(DeadLetterHeaders.PAYLOAD_BASE64);
        assertThat(StoredPayload.sha256("abc".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void thePrefixEndsBeforeACharacterItWouldCut() {
        // 62 ASCII bytes, then "€" (3 bytes) across the 64-byte cut: the prefix stops before it.
        byte[] body = ("a".repeat(62) + "€" + "b".repeat(200)).getBytes(StandardCharsets.UTF_8);
        StoredPayload kept = StoredPayload.of(body, "too_large", PREFIX);
        assertThat(kept.text()).isEqualTo("a".repeat(62));
        assertThat(kept.headers()).doesNotContainKey(DeadLetterHeaders.PAYLOAD_BASE64);
    }

    @Test
    void aTooLargeBodyThatIsNotTextKeepsThePrefixBytesExactlyAsBase64() {
        byte[] body = new byte[500];
        Arrays.fill(body, (byte) 0xff);
        StoredPayload kept = StoredPayload.of(body, "too_large", PREFIX);
        assertThat(Base64.getDecoder().decode(kept.headers().get(DeadLetterHeaders.PAYLOAD_BASE64)))
                .isEqualTo(Arrays.copyOf(body, PREFIX));
        assertThat(kept.headers()).containsEntry(DeadLetterHeaders.PAYLOAD_SIZE, "500");
    }

    @Test
    void otherDeadLettersAndSmallOnesAreKeptWhole() {
        byte[] big = "y".repeat(1000).getBytes(StandardCharsets.UTF_8);
        assertThat(StoredPayload.of(big, "json", PREFIX)).isEqualTo(new StoredPayload("y".repeat(1000), java.util.Map.of()));
        byte[] small = "z".repeat(PREFIX).getBytes(StandardCharsets.UTF_8);
        assertThat(StoredPayload.of(small, "too_large", PREFIX).text()).isEqualTo("z".repeat(PREFIX));
        assertThat(StoredPayload.of(small, "too_large", PREFIX).headers()).isEmpty();
        byte[] nul = {'a', 0, 'b'};
        assertThat(Base64.getDecoder().decode(StoredPayload.of(nul, "validation", PREFIX).headers()
                .get(DeadLetterHeaders.PAYLOAD_BASE64))).isEqualTo(nul);
    }
}
