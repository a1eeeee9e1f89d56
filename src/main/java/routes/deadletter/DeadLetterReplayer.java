package routes.deadletter;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;
import routes.pipeline.IngestExchange;
import routes.source.IngestSources;

/**
 * Sends dead letters back where they came from: to the broker queue of their source (with a broker
 * confirm), or — for the HTTP source, which has no queue — through the pipeline directly. Marks
 * {@code replayed_at} only once the message is safe again.
 */
@Component
public class DeadLetterReplayer {

    public static final String INGEST = "direct:ingest";
    private static final int BULK_LIMIT = 10_000;

    private final DeadLetterStore store;
    private final IngestSources sources;
    private final ProducerTemplate producer;

    public DeadLetterReplayer(DeadLetterStore store, IngestSources sources, ProducerTemplate producer) {
        this.store = store;
        this.sources = sources;
        this.producer = producer;
    }

    /** Replays one dead letter; false when there is no such dead letter. */
    public boolean replay(long id) throws Exception {
        var deadLetter = store.find(id);
        if (deadLetter.isEmpty()) {
            return false;
        }
        replay(deadLetter.get());
        return true;
    }

    /** Replays every dead letter of a source not replayed yet; returns how many. */
    public int replayAll(String source) throws Exception {
        List<DeadLetter> pending = store.notReplayed(source, BULK_LIMIT);
        for (DeadLetter deadLetter : pending) {
            replay(deadLetter);
        }
        return pending.size();
    }

    private void replay(DeadLetter deadLetter) throws Exception {
        byte[] body = originalBody(deadLetter);
        var broker = sources.find(deadLetter.source());
        if (broker.isPresent()) {
            broker.get().publish(body, Map.of("x-replayed-from", Long.toString(deadLetter.id())));
        } else {
            Exchange result = producer.send(INGEST, exchange -> {
                exchange.setProperty(IngestExchange.SOURCE, deadLetter.source());
                exchange.setProperty(IngestExchange.QUEUE, deadLetter.queue());
                exchange.setProperty(IngestExchange.REPLAY, true);
                exchange.getMessage().setBody(body);
            });
            if (result.getException() != null) {
                throw result.getException();
            }
        }
        store.markReplayed(deadLetter.id());
    }

    static byte[] originalBody(DeadLetter deadLetter) {
        Object exact = deadLetter.headers().get(DeadLetterHeaders.PAYLOAD_BASE64);
        if (exact instanceof String base64) {
            return Base64.getDecoder().decode(base64);
        }
        return deadLetter.payload().getBytes(StandardCharsets.UTF_8);
    }
}
