package routes.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import routes.fuzz.MutatedMessages;

/**
 * Fuzz of the validation every source shares (CONTRACT §1), over realistic broken messages
 * ({@link MutatedMessages}): a message is either an event every table can store, or an
 * {@link InvalidMessageException} of type json, validation or too_large whose message can be stored
 * in {@code dead_letters} too. Never any other exception. The one-pass reader agrees with the tree.
 */
class EventParserFuzzTest {

    static final Set<String> INVALID_TYPES = Set.of("json", "validation", "too_large");

    final EventParser parser = new EventParser(new ObjectMapper());

    @Property(tries = 8_000)
    void aMessageIsAStorableEventOrAnInvalidMessage(@ForAll("messages") byte[] body) {
        IngestEvent event;
        try {
            event = parser.parse(body);
        } catch (InvalidMessageException e) {
            assertInvalid(e);
            return;
        }
        Statistics.label("outcome").collect("valid");
        assertStorable(event);
        assertThat(event).as("the one-pass reader and the tree agree").isEqualTo(parser.parseAsTree(body));
    }

    @Property(tries = 3_000)
    void anHttpBodyIsStorableEventsOrAnInvalidMessage(@ForAll("httpBodies") byte[] body) {
        List<IngestEvent> events;
        try {
            events = parser.parseMany(body, 10_000);
        } catch (InvalidMessageException e) {
            assertInvalid(e);
            return;
        }
        Statistics.label("outcome").collect("valid");
        assertThat(events).isNotEmpty().allSatisfy(EventParserFuzzTest::assertStorable);
    }

    @Provide
    Arbitrary<byte[]> messages() {
        return MutatedMessages.messages();
    }

    @Provide
    Arbitrary<byte[]> httpBodies() {
        return MutatedMessages.httpBodies();
    }

    private static void assertInvalid(InvalidMessageException e) {
        Statistics.label("outcome").collect(e.errorType());
        assertThat(e.errorType()).isIn(INVALID_TYPES);
        assertThat(e.errors()).isNotEmpty();
        assertThat(StorableText.problem(e.getMessage())).as("the error message itself can be stored: " + e.getMessage()).isNull();
    }

    static void assertStorable(IngestEvent event) {
        assertThat(event.deviceId()).isNotNull();
        assertThat(Rfc3339.storable(event.sourceTimestamp())).as(event.rawTimestamp()).isTrue();
        assertThat(event.metrics()).hasSizeBetween(1, EventParser.MAX_METRICS);
        for (String text : new String[] {event.eventId(), event.protocol(), event.traceId()}) {
            assertThat(text == null || StorableText.storable(text)).as(String.valueOf(text)).isTrue();
        }
        for (IngestEvent.Metric m : event.metrics()) {
            assertThat(StorableText.storable(m.parameterKey())).isTrue();
            assertThat(m.parameterKey().codePointCount(0, m.parameterKey().length())).isBetween(1, EventParser.MAX_PARAMETER_KEY);
            assertThat(Double.isFinite(m.value())).isTrue();
            assertThat(m.quality() == null || (m.quality() >= 0 && m.quality() <= 255)).isTrue();
            assertThat(m.attributesJson() == null || StorableText.storable(m.attributesJson())).isTrue();
        }
    }
}
