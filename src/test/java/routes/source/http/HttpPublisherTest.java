package routes.source.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import routes.source.IngestSource;
import routes.source.IngestSources;
import routes.status.MessageIds;
import routes.status.MessageStatusTracker;

/** {@code publish-to}: every event of a request goes to the broker, its documents written once per request. */
class HttpPublisherTest {

    final List<byte[]> published = new ArrayList<>();
    final List<Map<String, String>> headers = new ArrayList<>();
    final List<String> queued = new ArrayList<>();
    final MessageStatusTracker tracker = new MessageStatusTracker(null, null, null) {
        @Override
        public void received(String source, List<String> messageIds) {
            assertThat(source).isEqualTo("http");
            queued.addAll(messageIds);
        }
    };
    final IngestSource broker = broker("redis", false);
    final IngestSource rabbit = broker("rabbitmq", true);

    IngestSource broker(String name, boolean carriesHeaders) {
        return new IngestSource() {
        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean carriesHeaders() {
            return carriesHeaders;
        }

        @Override
        public String queue() {
            return "q";
        }

        @Override
        public long queueDepth() {
            return 0;
        }

        @Override
        public void publish(byte[] body, Map<String, String> sent) {
            published.add(body);
            headers.add(sent);
        }

        @Override
        public void publishDeadLetter(byte[] body, Map<String, String> headers) {
        }
        };
    }

    static final byte[] PLAIN = "{\"n\":0}".getBytes(StandardCharsets.UTF_8);
    static final byte[] WITH_FIELD = "{\"message_id\":\"in-body\",\"n\":1}".getBytes(StandardCharsets.UTF_8);

    HttpEvents request(String messageId, boolean array, byte[]... documents) {
        return new HttpEvents(() -> List.of(documents), List.of(), Collections.nCopies(documents.length, null), "t-1",
                messageId, array);
    }

    HttpPublisher tracking(IngestSource to) {
        return new HttpPublisher(new IngestSources(List.of(to)),
                new HttpSourceProperties(true, to.name(), 100, 16 << 20, true), tracker);
    }

    @Test
    void trackedEventsAreQueuedAndPublishedUnderTheIdTheirBrokerSourceWillFind() throws Exception {
        tracking(rabbit).publish(request("req-1", true, PLAIN, WITH_FIELD));

        assertThat(queued).containsExactly("req-1:0", "req-1:1");
        assertThat(headers).extracting(h -> h.get(HttpPublisher.STATUS_ID)).containsExactly("req-1:0", "req-1:1");
    }

    @Test
    void withoutAProducersIdTheBodyFieldThenTheHashOfTheDocumentAsPublished() throws Exception {
        tracking(rabbit).publish(request(null, true, PLAIN, WITH_FIELD));

        assertThat(queued).containsExactly(MessageIds.hash(PLAIN), "in-body");
        assertThat(headers).extracting(h -> h.get(HttpPublisher.STATUS_ID)).containsExactly(MessageIds.hash(PLAIN), "in-body");
    }

    @Test
    void aSingleEventKeepsTheProducersIdAsItIs() throws Exception {
        tracking(rabbit).publish(request("req-2", false, PLAIN));

        assertThat(queued).containsExactly("req-2");
    }

    @Test
    void toRedisTheHeaderIsNotCarriedSoTheIdIsWhatTheBodyGives() throws Exception {
        tracking(broker).publish(request("req-3", true, PLAIN, WITH_FIELD));

        assertThat(queued).containsExactly(MessageIds.hash(PLAIN), "in-body");
    }

    @Test
    void untrackedPublishesWriteNoStatusAndNoStatusId() throws Exception {
        new HttpPublisher(new IngestSources(List.of(rabbit)), new HttpSourceProperties(true, "rabbitmq", 100, 16 << 20, false),
                tracker).publish(request("req-4", false, PLAIN));

        assertThat(queued).isEmpty();
        assertThat(headers.get(0)).doesNotContainKey(HttpPublisher.STATUS_ID);
    }

    @Test
    void aTenThousandEventRequestIsWrittenAsDocumentsOnce() throws Exception {
        int events = 10_000;
        AtomicInteger writes = new AtomicInteger();
        List<byte[]> documents = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
            documents.add(("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
        }
        HttpEvents request = new HttpEvents(() -> {
            writes.incrementAndGet();
            return documents;
        }, List.of(), Collections.nCopies(events, null), "t-1");
        HttpPublisher publisher = new HttpPublisher(new IngestSources(List.of(broker)),
                new HttpSourceProperties(true, "redis", events, 16 << 20, false), null);

        assertThat(publisher.publish(request)).isEqualTo(events);

        assertThat(published).hasSize(events);
        assertThat(new String(published.get(events - 1), StandardCharsets.UTF_8)).isEqualTo("{\"n\":9999}");
        assertThat(writes).as("the request's events written as documents").hasValue(1);
        request.events();
        assertThat(writes).as("and never again").hasValue(1);
    }
}
