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

/** {@code publish-to}: every event of a request goes to the broker, its documents written once per request. */
class HttpPublisherTest {

    final List<byte[]> published = new ArrayList<>();
    final IngestSource broker = new IngestSource() {
        @Override
        public String name() {
            return "redis";
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
        public void publish(byte[] body, Map<String, String> headers) {
            published.add(body);
        }

        @Override
        public void publishDeadLetter(byte[] body, Map<String, String> headers) {
        }
    };

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
                new HttpSourceProperties(true, "redis", events, 16 << 20, false));

        assertThat(publisher.publish(request)).isEqualTo(events);

        assertThat(published).hasSize(events);
        assertThat(new String(published.get(events - 1), StandardCharsets.UTF_8)).isEqualTo("{\"n\":9999}");
        assertThat(writes).as("the request's events written as documents").hasValue(1);
        request.events();
        assertThat(writes).as("and never again").hasValue(1);
    }
}
