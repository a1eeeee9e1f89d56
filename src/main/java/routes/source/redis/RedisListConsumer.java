package routes.source.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Processor;
import org.springframework.data.redis.connection.RedisListCommands.Direction;
import org.springframework.data.redis.core.RedisTemplate;

/**
 * Redis list {@code key} → the route, reliably: entries move atomically (Lua, up to batchSize per call)
 * from the right of the list into the processing list, and leave it only once the route completed them
 * (LREM) or — on a failure with attempts left — into the delayed set, from which a mover puts them back
 * when due. The recoverer returns entries left in the processing list past the visibility timeout.
 * While the list is empty a poller waits in {@code BLMOVE key key RIGHT RIGHT} (moves nothing), so new
 * entries are picked up at once without busy polling.
 */
class RedisListConsumer extends RedisQueueConsumerSupport {

    private static final int MAINTENANCE_LIMIT = 1000;

    private final RedisTemplate<String, byte[]> redis;
    private final List<String> takeKeys;
    private final String delayedSeq;

    RedisListConsumer(RedisQueueEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.redis = endpoint.getComponent().bytes();
        this.takeKeys = List.of(endpoint.getKey(), endpoint.getProcessingList());
        this.delayedSeq = endpoint.getDelayedSet() + ":seq";
    }

    @Override
    @SuppressWarnings("unchecked")
    protected List<Delivery> take(int max) {
        List<byte[]> entries = redis.execute(RedisScripts.TAKE, takeKeys, bytes(Integer.toString(max)));
        if (entries == null || entries.isEmpty()) {
            // Waits for the next entry without taking it: a same-list RIGHT→RIGHT move changes nothing.
            redis.opsForList().move(endpoint.getKey(), Direction.RIGHT, endpoint.getKey(), Direction.RIGHT,
                    Duration.ofSeconds(1));
            return List.of();
        }
        List<Delivery> deliveries = new ArrayList<>(entries.size());
        for (byte[] raw : entries) {
            QueueEntry entry = QueueEntry.parse(raw);
            deliveries.add(new Delivery(raw, entry.payload(), entry.deliveries()));
        }
        return deliveries;
    }

    @Override
    protected void acknowledge(List<Delivery> done) {
        Object[] entries = new Object[done.size()];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = done.get(i).id();
        }
        redis.execute(RedisScripts.ACK, List.of(endpoint.getProcessingList()), entries);
    }

    @Override
    protected void redeliverLater(Delivery delivery, boolean countsAsAttempt, long delayMillis) {
        int deliveries = delivery.priorAttempts() + (countsAsAttempt ? 1 : 0);
        redis.execute(RedisScripts.RETRY_LATER,
                List.of(endpoint.getProcessingList(), endpoint.getDelayedSet(), delayedSeq),
                delivery.id(), QueueEntry.requeued(deliveries, delivery.payload()), bytes(Long.toString(delayMillis)));
    }

    @Override
    protected void maintain() {
        byte[] limit = bytes(Integer.toString(MAINTENANCE_LIMIT));
        redis.execute(RedisScripts.MOVE_DUE, List.of(endpoint.getDelayedSet(), endpoint.getKey()), limit);
        redis.execute(RedisScripts.RECOVER, List.of(endpoint.getProcessingList(), endpoint.getKey()),
                bytes(Long.toString(endpoint.visibilityTimeoutMillis())), limit);
    }

    /** Script arguments go through the byte serializer too. */
    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
