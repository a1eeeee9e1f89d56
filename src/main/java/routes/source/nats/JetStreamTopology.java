package routes.source.nats;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
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

/**
 * Declares the JetStream streams and the durable consumer if absent and checks them if present:
 * an existing stream or consumer that cannot work as configured (wrong retention, subject, ack
 * policy) fails start-up with a message naming the difference; tunables (max_deliver, ack_wait,
 * max_ack_pending) are brought to the configured values.
 *
 * <p>The consumer's own max_deliver is always unlimited: the app enforces the attempt limit
 * ({@code ingest.sources.nats.max-deliver}). JetStream stops delivering a message at its max_deliver,
 * whether or not it was ever settled: a process killed during the last delivery, or an ack lost on the
 * way, would leave it in the workqueue stream forever, neither committed nor dead-lettered.
 */
public final class JetStreamTopology {

    private static final Logger LOG = LoggerFactory.getLogger(JetStreamTopology.class);
    /** JetStream's API error code for "stream not found" / "consumer not found". */
    private static final int STREAM_NOT_FOUND = 10059;
    private static final int CONSUMER_NOT_FOUND = 10014;

    private JetStreamTopology() {
    }

    /** JetStream's max_deliver for "no limit". */
    static final int UNLIMITED = -1;

    /** The durable pull consumer as configured. */
    public record DurableSpec(String stream, String subject, String durable, Duration ackWait, int maxAckPending) {
    }

    /** Creates {@code stream} with {@code subject} if absent, else checks it carries that subject with the given retention. */
    public static void ensureStream(Connection connection, String stream, String subject, RetentionPolicy retention,
                                    Duration duplicateWindow) throws IOException, JetStreamApiException {
        JetStreamManagement jsm = connection.jetStreamManagement();
        StreamInfo info;
        try {
            info = jsm.getStreamInfo(stream);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != STREAM_NOT_FOUND && e.getErrorCode() != 404) {
                throw e;
            }
            jsm.addStream(StreamConfiguration.builder()
                    .name(stream)
                    .subjects(subject)
                    .retentionPolicy(retention)
                    .storageType(StorageType.File)
                    .duplicateWindow(duplicateWindow)
                    .build());
            LOG.info("Created JetStream stream {} (subject {}, {} retention)", stream, subject, retention);
            return;
        }
        StreamConfiguration existing = info.getConfiguration();
        List<String> problems = new ArrayList<>();
        if (existing.getRetentionPolicy() != retention) {
            problems.add("retention is " + existing.getRetentionPolicy() + ", expected " + retention);
        }
        if (!existing.getSubjects().contains(subject)) {
            problems.add("subjects are " + existing.getSubjects() + ", expected to contain " + subject);
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("JetStream stream " + stream + " exists but is incompatible: "
                    + String.join("; ", problems) + " (delete it or point ingest.sources.nats.* at another stream)");
        }
    }

    /** Creates the durable pull consumer if absent; else checks it and updates its tunables. */
    public static void ensureDurable(Connection connection, DurableSpec spec) throws IOException, JetStreamApiException {
        JetStreamManagement jsm = connection.jetStreamManagement();
        ConsumerConfiguration wanted = ConsumerConfiguration.builder()
                .durable(spec.durable())
                .filterSubject(spec.subject())
                .ackPolicy(AckPolicy.Explicit)
                .deliverPolicy(DeliverPolicy.All)
                .maxDeliver(UNLIMITED)
                .ackWait(spec.ackWait())
                .maxAckPending(spec.maxAckPending())
                .build();
        ConsumerConfiguration existing;
        try {
            existing = jsm.getConsumerInfo(spec.stream(), spec.durable()).getConsumerConfiguration();
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != CONSUMER_NOT_FOUND && e.getErrorCode() != 404) {
                throw e;
            }
            jsm.addOrUpdateConsumer(spec.stream(), wanted);
            LOG.info("Created JetStream durable consumer {} on {} ({}; max_deliver {}, ack_wait {}, max_ack_pending {})",
                    spec.durable(), spec.stream(), spec.subject(), "unlimited", spec.ackWait(), spec.maxAckPending());
            return;
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
        boolean tuned = existing.getMaxDeliver() <= 0 // unlimited
                && Objects.equals(existing.getAckWait(), spec.ackWait())
                && existing.getMaxAckPending() == spec.maxAckPending();
        if (!tuned) {
            LOG.warn("JetStream consumer {} had max_deliver {}, ack_wait {}, max_ack_pending {}; updating to {}, {}, {}",
                    spec.durable(), existing.getMaxDeliver(), existing.getAckWait(), existing.getMaxAckPending(),
                    "unlimited", spec.ackWait(), spec.maxAckPending());
            jsm.addOrUpdateConsumer(spec.stream(), ConsumerConfiguration.builder(wanted)
                    .filterSubject(filter == null || filter.isEmpty() ? null : filter).build());
        }
    }
}
