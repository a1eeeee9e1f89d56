package routes.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;
import routes.pipeline.IngestExchange;
import routes.pipeline.MessageBatch;
import routes.pipeline.MessageOutcome;
import routes.pipeline.validate.IngestEvent;

/**
 * How status plugs into the pipeline without the pipeline knowing it: step track-running marks the pending
 * messages of a tracked source, and the tracker, as the batch aggregator's commit participant, turns what
 * they carry into the "completed" statement of their commit. No database: the store is not reached.
 */
class MessageStatusTrackerTest {

    final DefaultCamelContext camel = new DefaultCamelContext();
    final MessageStatusTracker tracker = new MessageStatusTracker(null,
            new MockEnvironment().withProperty("ingest.sources.tracked.track-status", "true"),
            new StatusProperties(false));

    @AfterEach
    void close() throws Exception {
        camel.close();
    }

    Exchange message(String source, String eventId) {
        Exchange message = new DefaultExchange(camel);
        message.setProperty(IngestExchange.SOURCE, source);
        message.setProperty(IngestExchange.EVENT, new IngestEvent(eventId, UUID.randomUUID(), "modbus",
                Instant.parse("2026-11-22T10:00:00Z"), "2026-11-22T10:00:00Z", null,
                List.of(new IngestEvent.Metric("voltage", 1, null, null))));
        message.setProperty(IngestExchange.ORIGINAL_BODY, ("{\"event_id\":\"" + eventId + "\"}").getBytes());
        return message;
    }

    @Test
    void trackRunningMarksThePendingMessagesOfATrackedSourceOnly() throws Exception {
        Exchange tracked = message("tracked", "e-1");
        Exchange untracked = message("untracked", "e-2");
        Exchange duplicate = message("tracked", "e-3");
        MessageBatch.settle(duplicate, MessageOutcome.DUPLICATE);
        Exchange batch = new DefaultExchange(camel);
        batch.getMessage().setBody(new ArrayList<>(List.of(tracked, untracked, duplicate)));

        new TrackRunning(tracker).process(batch);

        assertThat(tracked.getProperty(IngestExchange.TRACKED, TrackedMessage.class))
                .extracting(TrackedMessage::id, TrackedMessage::source, TrackedMessage::attempt)
                .containsExactly(MessageIds.hash("{\"event_id\":\"e-1\"}".getBytes()), "tracked", 1);
        assertThat(untracked.getProperty(IngestExchange.TRACKED)).isNull();
        assertThat(duplicate.getProperty(IngestExchange.TRACKED)).as("not pending").isNull();
    }

    @Test
    void aCommitOfNoTrackedMessageGetsNoHook() {
        assertThat(tracker.inCommitOf(List.of(message("untracked", "e-1")))).isNull();
    }

    @Test
    void aCommitGetsAHookForItsTrackedMessagesSingleOrGatheredByTheCommitStage() {
        TrackedMessage one = new TrackedMessage("a", "tracked", 1, 0);
        TrackedMessage two = new TrackedMessage("b", "tracked", 2, 0);
        TrackedMessage three = new TrackedMessage("c", "tracked", 1, 0);
        Exchange single = message("tracked", "e-1");
        single.setProperty(IngestExchange.TRACKED, one);
        Exchange unit = new DefaultExchange(camel); // a commit stage unit: the list of its messages' values
        unit.setProperty(IngestExchange.TRACKED, List.of(two, three));

        assertThat(MessageStatusTracker.tracked(List.of(single, message("untracked", "e-2"), unit)))
                .containsExactly(one, two, three);
        assertThat(tracker.inCommitOf(List.of(single))).isNotNull();
    }

    /** A store that remembers its single-row writes instead of reaching a database. */
    static final class Recording extends MessageStatusStore {
        final List<String> writes = new ArrayList<>();

        Recording() {
            super(null);
        }

        @Override
        public void failed(String source, String messageId, int attempts, String error, Long row, String identity) {
            writes.add("failed " + messageId + " " + attempts + " " + error + " row=" + row + " identity=" + identity);
        }

        @Override
        public void queuedAll(List<TrackedMessage> messages, List<String> errors) {
            for (int i = 0; i < messages.size(); i++) {
                writes.add("queued " + messages.get(i).id() + " " + messages.get(i).attempt() + " " + errors.get(i));
            }
        }

        @Override
        public void running(String source, String messageId, int attempt) {
            writes.add("running " + messageId + " " + attempt);
        }
    }

    @Test
    void aDeadLetteredMessageLinksTheRowIdTheRecorderGivesElseItsDeadLetterIdentity() {
        Recording store = new Recording();
        MessageStatusTracker tracker = new MessageStatusTracker(store,
                new MockEnvironment().withProperty("ingest.sources.tracked.track-status", "true"), new StatusProperties(true));
        Exchange withRow = message("tracked", "e-1");
        withRow.setProperty(IngestExchange.TRACKED, new TrackedMessage("m-1", "tracked", 2, 0));
        withRow.setProperty(IngestExchange.DEAD_LETTER_ID, 42L);
        withRow.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("boom"));
        tracker.dead(withRow);

        Exchange invalid = message("tracked", "e-2"); // dead-lettered before it was tracked
        tracker.dead(invalid);

        tracker.dead(message("untracked", "e-3"));

        assertThat(store.writes).hasSize(2);
        assertThat(store.writes.get(0)).isEqualTo("failed m-1 2 boom row=42 identity=null");
        assertThat(store.writes.get(1)).startsWith("failed " + MessageIds.hash("{\"event_id\":\"e-2\"}".getBytes())
                + " 1 null row=null identity=tracked:");
    }

    @Test
    void aFailedAttemptIsQueuedAndItsRetryHereIsTheNextAttemptRunning() {
        Recording store = new Recording();
        MessageStatusTracker tracker = new MessageStatusTracker(store,
                new MockEnvironment().withProperty("ingest.sources.tracked.track-status", "true"), new StatusProperties(true));
        Exchange message = message("tracked", "e-1");
        message.setProperty(IngestExchange.TRACKED, new TrackedMessage("m-1", "tracked", 1, 0));
        message.setException(new IllegalStateException("flaky"));

        tracker.failedAttempt(message);
        tracker.retryStarts(message);

        assertThat(store.writes).containsExactly("queued m-1 1 flaky", "running m-1 2");
        assertThat(message.getProperty(IngestExchange.TRACKED, TrackedMessage.class).attempt()).isEqualTo(2);
    }
}
