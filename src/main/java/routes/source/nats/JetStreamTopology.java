package routes.source.nats;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.unit.DataSize;
import routes.source.nats.NatsSourceProperties.StreamLimits;

/**
 * Declares the JetStream streams and the durable consumer if absent, and checks them if present.
 * An existing stream or consumer is never changed: one that cannot work as configured (retention,
 * subject, ack policy, push consumer) is refused with a message naming the difference; one whose limits
 * or tunables differ from the configuration is used as it is, and the differences are returned for the
 * caller to report (WARN log, health detail). Changing a live stream or consumer is the operator's call.
 *
 * <p>A consumer the app creates has max_deliver unlimited: the app enforces the attempt limit
 * ({@code ingest.sources.nats.max-deliver}). JetStream stops delivering a message at its max_deliver,
 * whether or not it was ever settled: a process killed during the last delivery, or an ack lost on the
 * way, would leave it in the workqueue stream for ever, neither committed nor dead-lettered.
 */
public final class JetStreamTopology {

    private static final Logger LOG = LoggerFactory.getLogger(JetStreamTopology.class);
    /** JetStream's API error code for "stream not found" / "consumer not found". */
    private static final int STREAM_NOT_FOUND = 10059;
    private static final int CONSUMER_NOT_FOUND = 10014;
    /** The limits of a stream created without configuration (tests, tools): the application.yml defaults. */
    public static final StreamLimits DEFAULT_LIMITS = new StreamLimits(Duration.ofHours(24), 1_000_000, DataSize.ofGigabytes(1));

    private JetStreamTopology() {
    }

    /** JetStream's max_deliver for "no limit". */
    static final int UNLIMITED = -1;

    /** The durable pull consumer as configured. */
    public record DurableSpec(String stream, String subject, String durable, Duration ackWait, int maxAckPending) {
    }

    /** A stream as configured: created so if absent. */
    public record StreamSpec(String name, String subject, RetentionPolicy retention, Duration duplicateWindow,
                             StreamLimits limits) {
    }

    /** {@link #ensureStream(Connection, StreamSpec)} with the default limits; differences are logged. */
    public static void ensureStream(Connection connection, String stream, String subject, RetentionPolicy retention,
                                    Duration duplicateWindow) throws IOException, JetStreamApiException {
        List<String> differences = ensureStream(connection,
                new StreamSpec(stream, subject, retention, duplicateWindow, DEFAULT_LIMITS));
        if (!differences.isEmpty()) {
            LOG.warn("JetStream stream {} differs from the configuration, left as it is: {}", stream, differences);
        }
    }

    /**
     * Creates the stream with its limits and {@code discard: new} if absent. Else checks it: throws when its
     * retention or subjects make it unusable, returns its differences in limits (empty when none).
     */
    public static List<String> ensureStream(Connection connection, StreamSpec spec) throws IOException, JetStreamApiException {
        JetStreamManagement jsm = connection.jetStreamManagement();
        StreamInfo info;
        try {
            info = jsm.getStreamInfo(spec.name());
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != STREAM_NOT_FOUND && e.getErrorCode() != 404) {
                throw e;
            }
            StreamLimits limits = spec.limits();
            jsm.addStream(StreamConfiguration.builder()
                    .name(spec.name())
                    .subjects(spec.subject())
                    .retentionPolicy(spec.retention())
                    .storageType(StorageType.File)
                    .duplicateWindow(spec.duplicateWindow())
                    .maxAge(limits.maxAge())
                    .maxMessages(unlimitedIfNegative(limits.maxMsgs()))
                    .maxBytes(unlimitedIfNegative(limits.maxBytes().toBytes()))
                    .discardPolicy(DiscardPolicy.New)
                    .build());
            LOG.info("Created JetStream stream {} (subject {}, {} retention, max_age {}, max_msgs {}, max_bytes {}, discard new)",
                    spec.name(), spec.subject(), spec.retention(), limits.maxAge(), limits.maxMsgs(), limits.maxBytes());
            return List.of();
        }
        StreamConfiguration existing = info.getConfiguration();
        List<String> problems = new ArrayList<>();
        if (existing.getRetentionPolicy() != spec.retention()) {
            problems.add("retention is " + existing.getRetentionPolicy() + ", expected " + spec.retention());
        }
        if (!existing.getSubjects().contains(spec.subject())) {
            problems.add("subjects are " + existing.getSubjects() + ", expected to contain " + spec.subject());
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("JetStream stream " + spec.name() + " exists but is incompatible: "
                    + String.join("; ", problems) + " (delete it or point ingest.sources.nats.* at another stream)");
        }
        return streamDifferences(existing, spec.limits());
    }

    /** Where an existing stream's limits differ from the configured ones (0 and -1 both mean "none" to JetStream). */
    static List<String> streamDifferences(StreamConfiguration existing, StreamLimits limits) {
        List<String> differences = new ArrayList<>();
        Duration age = existing.getMaxAge() == null ? Duration.ZERO : existing.getMaxAge();
        if (!age.equals(limits.maxAge())) {
            differences.add("max_age " + describe(age) + ", configured " + describe(limits.maxAge()));
        }
        if (unlimitedIfNegative(existing.getMaxMsgs()) != unlimitedIfNegative(limits.maxMsgs())) {
            differences.add("max_msgs " + count(existing.getMaxMsgs()) + ", configured " + count(limits.maxMsgs()));
        }
        if (unlimitedIfNegative(existing.getMaxBytes()) != unlimitedIfNegative(limits.maxBytes().toBytes())) {
            differences.add("max_bytes " + count(existing.getMaxBytes()) + ", configured " + count(limits.maxBytes().toBytes()));
        }
        if (existing.getDiscardPolicy() != DiscardPolicy.New) {
            differences.add("discard " + existing.getDiscardPolicy() + ", expected new (a full stream drops its oldest"
                    + " messages instead of refusing new ones)");
        }
        return differences;
    }

    /**
     * Creates the durable pull consumer if absent. Else checks it: throws when it cannot be used (push
     * consumer, another ack policy or filter), returns the differences in its tunables (empty when none).
     */
    public static List<String> ensureDurable(Connection connection, DurableSpec spec) throws IOException, JetStreamApiException {
        JetStreamManagement jsm = connection.jetStreamManagement();
        ConsumerConfiguration existing;
        try {
            existing = jsm.getConsumerInfo(spec.stream(), spec.durable()).getConsumerConfiguration();
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != CONSUMER_NOT_FOUND && e.getErrorCode() != 404) {
                throw e;
            }
            jsm.addOrUpdateConsumer(spec.stream(), ConsumerConfiguration.builder()
                    .durable(spec.durable())
                    .filterSubject(spec.subject())
                    .ackPolicy(AckPolicy.Explicit)
                    .deliverPolicy(DeliverPolicy.All)
                    .maxDeliver(UNLIMITED)
                    .ackWait(spec.ackWait())
                    .maxAckPending(spec.maxAckPending())
                    .build());
            LOG.info("Created JetStream durable consumer {} on {} ({}; max_deliver {}, ack_wait {}, max_ack_pending {})",
                    spec.durable(), spec.stream(), spec.subject(), "unlimited", spec.ackWait(), spec.maxAckPending());
            return List.of();
        }
        List<String> problems = new ArrayList<>();
        if (existing.getAckPolicy() != AckPolicy.Explicit) {
            problems.add("ack policy is " + existing.getAckPolicy() + ", expected explicit");
        }
        if (existing.getDeliverSubject() != null) {
            problems.add("it is a push consumer (deliver subject " + existing.getDeliverSubject() + "), expected pull");
        }
        String filter = existing.getFilterSubject();
        if (filter != null && !filter.isEmpty() && !filter.equals(spec.subject())) {
            problems.add("filter subject is " + filter + ", expected " + spec.subject());
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("JetStream consumer " + spec.durable() + " on stream " + spec.stream()
                    + " exists but is incompatible: " + String.join("; ", problems)
                    + " (delete it, or configure another ingest.sources.nats.durable)");
        }
        return durableDifferences(existing, spec);
    }

    static List<String> durableDifferences(ConsumerConfiguration existing, DurableSpec spec) {
        List<String> differences = new ArrayList<>();
        if (existing.getMaxDeliver() > 0) {
            differences.add("max_deliver " + existing.getMaxDeliver() + ", expected unlimited (the app enforces"
                    + " ingest.sources.nats.max-deliver; with the server's limit a message whose last delivery dies"
                    + " with its process stays in the stream undelivered)");
        }
        if (!Objects.equals(existing.getAckWait(), spec.ackWait())) {
            differences.add("ack_wait " + describe(existing.getAckWait()) + ", configured " + describe(spec.ackWait()));
        }
        if (existing.getMaxAckPending() != spec.maxAckPending()) {
            differences.add("max_ack_pending " + existing.getMaxAckPending() + ", configured " + spec.maxAckPending());
        }
        return differences;
    }

    /** JetStream's -1 for "no limit"; 0 means the same to the server. */
    private static long unlimitedIfNegative(long value) {
        return value <= 0 ? -1 : value;
    }

    private static String count(long value) {
        return value <= 0 ? "unlimited" : Long.toString(value);
    }

    private static String describe(Duration duration) {
        if (duration == null || duration.isZero()) {
            return "unlimited";
        }
        return duration.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }
}
