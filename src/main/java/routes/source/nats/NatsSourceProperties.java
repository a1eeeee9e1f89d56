package routes.source.nats;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code ingest.sources.nats.*}: the NATS JetStream source (stream → durable pull consumer → pipeline).
 * Every key has a {@code NATS_*} environment name in application.yml (docs/sources/nats.md).
 *
 * @param enabled       consume from JetStream and register the nats source (publish, dead letters, depth, health)
 * @param url           the NATS server(s), comma-separated: {@code ${NATS_URL}}, else {@code nats://${NATS_HOST}:${NATS_PORT}}
 * @param stream        the stream consumed (workqueue retention), created if absent
 * @param subject       the subject of that stream the consumer takes, {@code ${QUEUE_SUBJECT}}
 * @param durable       the durable pull consumer shared by every instance of the app
 * @param dlqStream     the dead-letter stream, created if absent
 * @param dlqSubject    the subject dead letters are published to
 * @param batchSize     messages asked for in one pull request
 * @param batching      hand the messages of a pull to the pipeline as batches (valid, new events committed as one
 *                      unit); false: one exchange per message
 * @param maxAckPending messages delivered and not yet acked, over all instances (the server's bound on in-flight)
 * @param maxInFlight   messages one instance has handed to the pipeline and not yet acked or nakked
 * @param concurrency   pull loops per instance (the default of {@code minConsumers})
 * @param minConsumers  pull loops at least (default: {@code concurrency}; routes.config.PoolDefaults)
 * @param maxConsumers  pull loops at most (default: 2 × {@code minConsumers})
 * @param scaleThreshold messages pending for the durable per pull loop: the pool's target is ceil(pending / this)
 * @param scaleInterval how often the durable's pending count is checked
 * @param scaleDownAfter how long a lower target must hold before the pool shrinks to it
 * @param ackWait       how long JetStream waits for an ack before redelivering (kept alive while in flight)
 * @param maxDeliver    deliveries of one message at most, enforced by the app: the last is retried in process,
 *                      then dead-lettered (the server-side consumer's max_deliver is unlimited, so that a crash
 *                      during the last delivery cannot strand a message)
 * @param fetchTimeout  how long one pull request waits for its batch to fill (messages are handed on as they come)
 * @param partialBatchAfter with batching: what a pull received so far goes on once no message came for this long
 * @param duplicateWindow how long JetStream remembers a {@code Nats-Msg-Id} to drop resends (new streams only)
 * @param streamLimits  the limits {@code stream} is created with (discard: new); an existing stream is only compared
 * @param dlqStreamLimits the limits {@code dlq-stream} is created with (discard: new); application.yml keeps dead
 *                      letters longer than events (168h)
 * @param retryAfter    what a refused publish (stream full, NATS not connected) tells an HTTP client to wait
 * @param connectionTimeout how long one connection attempt may take
 * @param reconnectWait the pause between connection attempts (the connection tries for ever, also at start-up)
 * @param auth          how the app authenticates: user/password, token, NKey seed or a {@code .creds} file (one of them)
 * @param tls           TLS towards the server: a CA and an optional client certificate, or a Spring SSL bundle
 */
@Validated
@ConfigurationProperties("ingest.sources.nats")
public record NatsSourceProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("nats://localhost:4222") @NotBlank String url,
        @DefaultValue("INGRESS") @NotBlank String stream,
        @DefaultValue("ingress.events") @NotBlank String subject,
        @DefaultValue("ingest_workers") @NotBlank String durable,
        @DefaultValue("INGRESS_DLQ") @NotBlank String dlqStream,
        @DefaultValue("ingress.dlq") @NotBlank String dlqSubject,
        @DefaultValue("500") @Min(1) @Max(10000) int batchSize,
        @DefaultValue("true") boolean batching,
        @DefaultValue("20000") @Min(1) int maxAckPending,
        @DefaultValue("5000") @Min(1) int maxInFlight,
        @DefaultValue("2") @Min(1) @Max(64) int concurrency,
        @Min(1) @Max(64) Integer minConsumers,
        @Min(1) @Max(128) Integer maxConsumers,
        @DefaultValue("1000") @Min(1) int scaleThreshold,
        @DefaultValue("2s") @NotNull Duration scaleInterval,
        @DefaultValue("30s") @NotNull Duration scaleDownAfter,
        @DefaultValue("30s") @NotNull Duration ackWait,
        @DefaultValue("5") @Min(1) int maxDeliver,
        @DefaultValue("1s") @NotNull Duration fetchTimeout,
        @DefaultValue("10ms") @NotNull Duration partialBatchAfter,
        @DefaultValue("2m") @NotNull Duration duplicateWindow,
        @DefaultValue @Valid StreamLimits streamLimits,
        @DefaultValue @Valid StreamLimits dlqStreamLimits,
        @DefaultValue("5s") @NotNull Duration retryAfter,
        @DefaultValue("5s") @NotNull Duration connectionTimeout,
        @DefaultValue("500ms") @NotNull Duration reconnectWait,
        @DefaultValue @Valid Auth auth,
        @DefaultValue @Valid Tls tls) {

    /** A pool needs max-consumers >= min-consumers (both default from concurrency: routes.config.PoolDefaults). */
    @AssertTrue(message = "max-consumers must be at least min-consumers")
    public boolean isPoolRangeValid() {
        return minConsumers == null || maxConsumers == null || maxConsumers >= minConsumers;
    }

    /**
     * A stream's limits, applied when the app creates it, always with {@code discard: new}: on a workqueue
     * stream discarding old messages would drop unprocessed data, so a full stream refuses publishes instead.
     *
     * @param maxAge   messages older than this are removed (JetStream {@code max_age}); 0 = no limit
     * @param maxMsgs  messages in the stream at most ({@code max_msgs}); -1 = no limit
     * @param maxBytes bytes in the stream at most ({@code max_bytes}); -1B = no limit
     */
    public record StreamLimits(
            @DefaultValue("24h") @NotNull Duration maxAge,
            @DefaultValue("1000000") @Min(-1) long maxMsgs,
            @DefaultValue("1GB") @NotNull DataSize maxBytes) {
    }

    /**
     * Credentials; leave all empty for a server without authentication. At most one kind may be set.
     *
     * @param username  user name (with {@code password})
     * @param password  password of {@code username}
     * @param token     an authentication token
     * @param nkeySeed  an NKey user seed ({@code SU...}) as text
     * @param nkeyFile  a file holding an NKey user seed
     * @param credsFile a {@code .creds} file: a user JWT and its NKey seed (decentralised, operator-mode auth)
     */
    public record Auth(String username, String password, String token, String nkeySeed, String nkeyFile,
                       String credsFile) {
    }

    /**
     * TLS towards the server. On when {@code enabled}, when the URL says {@code tls://}, or when a CA, a client
     * certificate or a bundle is set. The server's certificate is checked against {@code ca} (or the bundle's
     * trust material, or the JVM's trust store when neither is set).
     *
     * @param enabled            TLS even without a CA or certificate configured (the JVM's trust store)
     * @param bundle             a Spring Boot SSL bundle ({@code spring.ssl.bundle.pem|jks.<name>}) instead of the files
     * @param ca                 PEM file of the CA that signed the server's certificate
     * @param certificate        PEM client certificate (chain), for servers that verify clients (mutual TLS)
     * @param privateKey         PEM private key of {@code certificate}
     * @param privateKeyPassword the password of an encrypted {@code private-key}
     */
    public record Tls(@DefaultValue("false") boolean enabled, String bundle, String ca, String certificate,
                      String privateKey, String privateKeyPassword) {
    }
}
