package routes.deadletter;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import routes.pipeline.IngestExchange;
import routes.source.IngestSource;
import routes.source.IngestSources;

/**
 * Sends dead letters back where they came from: to the broker queue of their source (with a broker
 * confirm), or — for the HTTP source, which has no queue — through the pipeline, by the route
 * {@code replay} (routes/ingest.camel.yaml: {@code direct:replay} → {@code direct:ingest}). Marks
 * {@code replayed_at} only once the message is safe again. The replayed message carries the dead
 * letter's identity ({@code x-dead-letter-id}): if it is dead-lettered again, that same row is reopened
 * with the new failure ({@link DeadLetterStore#record}) instead of a second row being written.
 */
@Component
public class DeadLetterReplayer {

    /** The route that takes a replay into the pipeline. */
    public static final String REPLAY = "direct:replay";

    private final DeadLetterStore store;
    private final IngestSources sources;
    private final ProducerTemplate producer;
    private final TransactionTemplate transaction;
    private final DeadLetterProperties properties;

    public DeadLetterReplayer(DeadLetterStore store, IngestSources sources, ProducerTemplate producer,
                              TransactionTemplate transaction, DeadLetterProperties properties) {
        this.store = store;
        this.sources = sources;
        this.producer = producer;
        this.transaction = transaction;
        this.properties = properties;
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

    /**
     * Replays the dead letters of a source not replayed yet, oldest first, a page at a time
     * ({@code ingest.dead-letters.replay-page-size}) and at most {@code replay-limit} of them; returns
     * how many. Pages go by id, so a replay dead-lettered again meanwhile is not taken twice in one call.
     */
    public int replayAll(String source) throws Exception {
        int replayed = 0;
        long after = 0;
        while (replayed < properties.replayLimit()) {
            int size = Math.min(properties.replayPageSize(), properties.replayLimit() - replayed);
            List<DeadLetter> page = store.pending(source, after, size);
            for (DeadLetter deadLetter : page) {
                replay(deadLetter);
                after = deadLetter.id();
                replayed++;
            }
            if (page.size() < size) {
                break;
            }
        }
        return replayed;
    }

    private void replay(DeadLetter deadLetter) throws Exception {
        byte[] body = originalBody(deadLetter);
        var broker = sources.find(deadLetter.source());
        if (broker.isPresent()) {
            toBroker(deadLetter, body, broker.get());
        } else {
            throughPipeline(deadLetter, body);
        }
    }

    /**
     * Marked replayed in the transaction that publishes: a consumer that dead-letters the replay again
     * waits for it, so it always finds the row replayed and reopens it. A failed publish leaves it pending.
     */
    private void toBroker(DeadLetter deadLetter, byte[] body, IngestSource broker) {
        transaction.executeWithoutResult(status -> {
            String identity = store.identity(deadLetter.id()).orElseThrow();
            store.markReplayed(deadLetter.id());
            try {
                broker.publish(body, Map.of(DeadLetterHeaders.REPLAYED_FROM, Long.toString(deadLetter.id()),
                        DeadLetterHeaders.DEAD_LETTER_ID, identity));
            } catch (Exception e) {
                throw new IllegalStateException("replay of dead letter " + deadLetter.id() + " not confirmed by "
                        + deadLetter.source() + ": " + e.getMessage(), e);
            }
        });
    }

    /** Run here, synchronously: dead-lettered again, the recorder has reopened the row; else it is replayed. */
    private void throughPipeline(DeadLetter deadLetter, byte[] body) throws Exception {
        String identity = store.identity(deadLetter.id()).orElseThrow();
        Exchange result = producer.send(REPLAY, exchange -> {
            exchange.setProperty(IngestExchange.SOURCE, deadLetter.source());
            exchange.setProperty(IngestExchange.QUEUE, deadLetter.queue());
            exchange.setProperty(IngestExchange.REPLAY, true);
            exchange.setProperty(IngestExchange.DEAD_LETTER_IDENTITY, identity);
            exchange.getMessage().setBody(body);
        });
        if (result.getException() != null) {
            throw result.getException();
        }
        if (!result.getProperty(IngestExchange.DEAD_LETTERED, false, Boolean.class)) {
            store.markReplayed(deadLetter.id());
        }
    }

    static byte[] originalBody(DeadLetter deadLetter) {
        Object exact = deadLetter.headers().get(DeadLetterHeaders.PAYLOAD_BASE64);
        if (exact instanceof String base64) {
            return Base64.getDecoder().decode(base64);
        }
        return deadLetter.payload().getBytes(StandardCharsets.UTF_8);
    }
}
