package routes.delivery;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code ingest.delivery.*}: the delivery sink, which POSTs each message of {@code queue} to the main
 * server over mutual TLS and retries failures at a fixed interval from a durable Redis sorted set.
 *
 * @param enabled         run the delivery sink and its Redis consumer
 * @param baseUrl         the main server, e.g. {@code https://main.internal:8443}
 * @param deliverPath     path the message is POSTed to
 * @param statusPath      path a failed attempt is reported to with PUT ({@code {id}} = the message id);
 *                        empty = do not report
 * @param workerId        this worker's id, sent with every delivery and naming its processing list; default:
 *                        host name, process id and a random suffix, unique per process
 * @param concurrency     consumer threads at start (and the pool minimum when scaling is off)
 * @param batchSize       messages one consumer thread takes per Redis call (1: each thread holds one message,
 *                        so a killed worker leaves at most its pool size in flight)
 * @param retryInterval   the fixed wait before the next attempt after a failure
 * @param maxAttempts     attempts in total; then the message is dead-lettered
 * @param queue           the Redis list producers LPUSH to; consumed from the right
 * @param delayedSet      the Redis sorted set where failed messages wait, scored by due time (epoch ms)
 * @param dlq             the Redis list exhausted messages are pushed to (also written to dead_letters)
 * @param requestTimeout  the longest one HTTP request may take
 * @param moverInterval   how often due messages are moved from the delayed set back to the queue
 * @param pollTimeout     how long one BLMOVE blocks waiting for a message
 * @param shutdownTimeout on stop, how long in-flight deliveries may finish before they are returned
 * @param trackStatus     keep a {@code message_status} row per message
 * @param tls             the client certificate and trusted CA
 * @param pool            the consumer pool that follows the backlog
 */
@Validated
@ConfigurationProperties("ingest.delivery")
public record DeliveryProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("https://localhost:8443") @NotBlank String baseUrl,
        @DefaultValue("/internal/messages/deliver") @NotBlank String deliverPath,
        @DefaultValue("/internal/messages/{id}/status") String statusPath,
        String workerId,
        @DefaultValue("4") @Min(1) int concurrency,
        @DefaultValue("1") @Min(1) int batchSize,
        @DefaultValue("30s") @NotNull Duration retryInterval,
        @DefaultValue("10000") @Min(1) int maxAttempts,
        @DefaultValue("delivery_queue") @NotBlank String queue,
        @DefaultValue("delivery_queue:delayed") @NotBlank String delayedSet,
        @DefaultValue("delivery_queue:dlq") @NotBlank String dlq,
        @DefaultValue("10s") @NotNull Duration requestTimeout,
        @DefaultValue("1s") @NotNull Duration moverInterval,
        @DefaultValue("1s") @NotNull Duration pollTimeout,
        @DefaultValue("20s") @NotNull Duration shutdownTimeout,
        @DefaultValue("false") boolean trackStatus,
        @Valid @NotNull @DefaultValue Tls tls,
        @Valid @NotNull @DefaultValue Pool pool) {

    /** This worker's id: the configured one, else {@link #defaultWorkerId} of this process. */
    public String effectiveWorkerId() {
        if (workerId != null && !workerId.isBlank()) {
            return workerId;
        }
        return ProcessWorkerId.ID;
    }

    /**
     * A worker id no other process shares: the host name (or {@code worker} without one), the process id
     * and a random suffix. The host name alone is not enough: instances without {@code HOSTNAME} would
     * all be {@code worker}, and two processes on one host would take each other's processing list.
     */
    static String defaultWorkerId(String host, long pid) {
        String name = host == null || host.isBlank() ? "worker" : host;
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
        return name + "-" + pid + "-" + suffix.substring(0, Math.min(6, suffix.length()));
    }

    /** Computed once, so that every part of this process names the same processing list. */
    private static final class ProcessWorkerId {
        static final String ID = defaultWorkerId(System.getenv("HOSTNAME"), ProcessHandle.current().pid());
    }

    /** The list that holds the messages this worker is delivering right now (one per worker). */
    public String processingList() {
        return queue + ":processing:" + effectiveWorkerId();
    }

    /**
     * The client side of mutual TLS. Either PEM files ({@code certificate}, {@code private-key},
     * {@code ca}) or PKCS12 stores ({@code key-store}, {@code trust-store}); or {@code bundle}, the
     * name of a Spring Boot SSL bundle ({@code spring.ssl.bundle.*}). Only TLS 1.3 and 1.2 are enabled;
     * the server's host name is always verified.
     *
     * @param bundle             a Spring Boot SSL bundle name; wins over the keys below when set
     * @param certificate        PEM client certificate (chain) path
     * @param privateKey         PEM private key path
     * @param privateKeyPassword password of an encrypted PEM private key
     * @param ca                 PEM CA certificate(s) that signed the server's certificate
     * @param keyStore           PKCS12 key store path (client certificate and key)
     * @param keyStorePassword   its password
     * @param trustStore         PKCS12 trust store path (the CA)
     * @param trustStorePassword its password
     */
    public record Tls(String bundle, String certificate, String privateKey, String privateKeyPassword, String ca,
                      String keyStore, String keyStorePassword, String trustStore, String trustStorePassword) {
    }

    /**
     * The consumer pool: between {@code min} and {@code max} threads; grows when the backlog per
     * thread passes {@code scale-up-depth}, shrinks one thread per check while the queue is empty.
     *
     * @param min           threads at least (default: {@code concurrency})
     * @param max           threads at most (default: {@code concurrency})
     * @param scaleUpDepth  waiting messages per thread above which the pool grows
     * @param checkInterval how often the backlog is checked
     */
    public record Pool(Integer min, Integer max,
                       @DefaultValue("10") @Min(1) int scaleUpDepth,
                       @DefaultValue("2s") @NotNull Duration checkInterval) {
    }

    public int poolMin() {
        return pool.min() != null ? pool.min() : concurrency;
    }

    public int poolMax() {
        return Math.max(poolMin(), pool.max() != null ? pool.max() : concurrency);
    }
}
