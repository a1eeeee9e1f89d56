package routes.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import routes.pipeline.validate.EventParser;

/** The chaos backlog is what scripts/chaos.sh says it is, and the same for the publisher and the report. */
class ChaosMessagesTest {

    @Test
    void theMixIsFivePercentResendsOnePercentInvalidAndTheOversizedOnes() {
        ChaosMessages messages = new ChaosMessages(2000, 20, 100, 3);

        assertThat(messages.duplicates()).isEqualTo(100);
        assertThat(messages.invalid()).hasSize(20 + 3);
        assertThat(messages.stream()).hasSize(2000 + 100 + 23);
        assertThat(messages.expectedRows()).isEqualTo(6000);
        assertThat(messages.invalid().values()).filteredOn(m -> m.expectedErrorType().equals("too_large"))
                .hasSize(3).allSatisfy(m -> assertThat(m.body().length).isGreaterThan(EventParser.MAX_MESSAGE_BYTES));
    }

    @Test
    void aResendIsByteIdenticalAndComesAfterItsOriginal() {
        List<byte[]> stream = new ChaosMessages(2000, 20, 100, 3).stream();
        Map<String, Integer> first = new HashMap<>();
        int resends = 0;
        for (int i = 0; i < stream.size(); i++) {
            String body = new String(stream.get(i), StandardCharsets.ISO_8859_1);
            Integer before = first.putIfAbsent(body, i);
            if (before != null) {
                resends++;
                assertThat(before).isLessThan(i);
            }
        }
        assertThat(resends).isEqualTo(100);
    }

    @Test
    void everyInvalidMessageCarriesItsOwnMarkerAndTheSameSizesGiveTheSameBytes() {
        ChaosMessages one = new ChaosMessages(1000, 20, 100, 2);
        ChaosMessages two = new ChaosMessages(1000, 20, 100, 2);

        one.invalid().forEach((marker, m) ->
                assertThat(ChaosMessages.markerIn(new String(m.body(), StandardCharsets.ISO_8859_1))).isEqualTo(marker));
        assertThat(two.stream()).hasSameSizeAs(one.stream());
        for (int i = 0; i < one.stream().size(); i++) {
            assertThat(two.stream().get(i)).isEqualTo(one.stream().get(i));
        }
        assertThat(two.expectedValueSum()).isEqualTo(one.expectedValueSum());
    }

    @Test
    void someInvalidMessagesAreNotUtf8() {
        ChaosMessages messages = new ChaosMessages(1000, 20, 100, 0);

        assertThat(messages.invalid().values()).anySatisfy(m -> assertThat(m.body()[0]).isEqualTo((byte) 0xff));
    }
}
