package routes.deadletter;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;
import routes.db.WarmupProperties;
import routes.pipeline.ErrorType;
import routes.pipeline.validate.EventParser;
import routes.source.IngestSource;
import routes.source.IngestSources;

/**
 * Before the sources start, runs the byte work of an oversized dead letter on a made-up body just over the size
 * limit, a few times, and throws the results away: the body's two SHA-256s (the identity and
 * {@code x-payload-sha256}), the table's prefix, and each source's DLQ encoding (Redis escapes the body into
 * a JSON entry). Oversized messages are rare, so this code stayed interpreted or in the JIT's first tiers for
 * the first half of a drain (C2 compiled the digest's block loop 5 s in): the benchmark's 286 such messages
 * in 200,000 then took 15-25 % of the app's CPU samples. Nothing is written or published. A failure is logged,
 * never fatal. {@code ingest.warmup.dead-letters: false} turns it off.
 */
@Component
public class DeadLetterWarmup implements SmartInitializingSingleton {

    static final int ROUNDS = 8;

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterWarmup.class);

    private final WarmupProperties warmup;
    private final DeadLetterProperties deadLetters;
    private final IngestSources sources;
    private volatile int rounds;

    public DeadLetterWarmup(WarmupProperties warmup, DeadLetterProperties deadLetters, IngestSources sources) {
        this.warmup = warmup;
        this.deadLetters = deadLetters;
        this.sources = sources;
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (!warmup.deadLetters()) {
            return;
        }
        long started = System.nanoTime();
        byte[] body = oversizedBody();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                DeadLetterIdentity.of("warmup", "warmup", null, body);
                StoredPayload.of(body, ErrorType.TOO_LARGE.label(), deadLetters.tooLargePrefixBytes());
                for (IngestSource source : sources.all()) {
                    source.encodeDeadLetterForWarmup(body);
                }
                rounds++;
            }
            LOG.info("Dead-letter byte work warmed up on {} made-up bodies of {} bytes in {} ms", ROUNDS, body.length,
                    (System.nanoTime() - started) / 1_000_000);
        } catch (Exception e) {
            LOG.warn("Dead-letter warm-up skipped ({}): the first oversized messages will meet cold code", e.toString());
        }
    }

    /** Rounds run at start-up (for tests). */
    public int rounds() {
        return rounds;
    }

    /** A JSON event whose attribute pads it past the size limit, with a quote and a line feed to escape. */
    static byte[] oversizedBody() {
        byte[] head = "{\"event_id\":\"warmup\",\"note\":\"a \\\"quoted\\\"\\n line\",\"padding\":\""
                .getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[EventParser.MAX_MESSAGE_BYTES + 1024];
        Arrays.fill(body, (byte) 'x');
        System.arraycopy(head, 0, body, 0, head.length);
        body[body.length - 2] = '"';
        body[body.length - 1] = '}';
        return body;
    }
}
