package routes.source.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisListCommands.Direction;
import org.springframework.data.redis.core.ListOperations;
import org.springframework.data.redis.core.RedisTemplate;

/**
 * Redis list {@code key} → the route, reliably: entries move atomically (Lua, up to batchSize per call)
 * from the right of the list into the processing list, and leave it only once the route completed them
 * (LREM) or — on a failure — into the delayed set, from which a mover puts them back when due.
 *
 * <p>A shared processing list (the default, {@code <key>:processing}): entries are stamped when taken,
 * and the recoverer returns those left there past the visibility timeout. An own processing list
 * ({@code ownProcessingList=true}, one per worker, as the delivery worker has it): entries stay as
 * they are, and everything in it is returned to the queue when the consumer starts and stops.
 * While the list is empty a poller waits in a blocking move, so new entries are picked up at once
 * without busy polling.
 */
class RedisListConsumer extends RedisQueueConsumerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(RedisListConsumer.class);
    private static final int MAINTENANCE_LIMIT = 1000;
    private static final byte[] ONE = bytes("1");
    private static final byte[] ZERO = bytes("0");
    /** The stamp of an entry taken as it is (an own processing list): the entry is its payload. */
    private static final byte[] NO_STAMP = new byte[0];

    private final RedisTemplate<String, byte[]> redis;
    private final List<String> takeKeys;
    private final String delayedSeq;
    private final boolean own;
    private final ProcessingListAck ack;

    RedisListConsumer(RedisQueueEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.redis = endpoint.getComponent().bytes();
        this.takeKeys = List.of(endpoint.getKey(), endpoint.getProcessingList());
        this.delayedSeq = endpoint.getDelayedSet() + ":seq";
        this.own = endpoint.isOwnProcessingList();
        this.ack = new ProcessingListAck(redis, endpoint.getProcessingList());
    }

    /** Own processing list: what a crash or a stop left there goes back first, before any loop takes. */
    @Override
    protected void beforeLoops() {
        if (!own) {
            return;
        }
        try {
            long returned = returnAll();
            if (returned > 0) {
                LOG.info("Returned {} unfinished entries from {} to {}", returned, endpoint.getProcessingList(),
                        endpoint.getKey());
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not return the entries left in {} now ({}); they are returned on the next stop or start",
                    endpoint.getProcessingList(), e.getMessage());
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    protected List<Delivery> take(int max) {
        if (own) {
            return takeOwn(max);
        }
        List<byte[]> entries = redis.execute(RedisScripts.TAKE, takeKeys, bytes(Integer.toString(max)));
        if (entries == null || entries.isEmpty()) {
            // Waits for the next entry without taking it: a same-list RIGHT→RIGHT move changes nothing.
            redis.opsForList().move(endpoint.getKey(), Direction.RIGHT, endpoint.getKey(), Direction.RIGHT,
                    Duration.ofSeconds(1));
            return List.of();
        }
        // Stamp and payload of each entry, in turn (RedisScripts.TAKE).
        List<Delivery> deliveries = new ArrayList<>(entries.size() / 2);
        for (int i = 0; i + 1 < entries.size(); i += 2) {
            byte[] stamp = entries.get(i);
            deliveries.add(new Delivery(stamp, entries.get(i + 1), QueueEntry.parse(stamp).deliveries()));
        }
        return deliveries;
    }

    @SuppressWarnings("unchecked")
    private List<Delivery> takeOwn(int max) {
        List<byte[]> entries = max == 1 ? List.of()
                : redis.execute(RedisScripts.TAKE_RAW, takeKeys, bytes(Integer.toString(max)));
        if (entries == null || entries.isEmpty()) {
            byte[] one = redis.opsForList().move(ListOperations.MoveFrom.fromTail(endpoint.getKey()),
                    ListOperations.MoveTo.toHead(endpoint.getProcessingList()), endpoint.getPollTimeout());
            entries = one == null ? List.of() : List.of(one);
        }
        List<Delivery> deliveries = new ArrayList<>(entries.size());
        for (byte[] raw : entries) {
            deliveries.add(new Delivery(NO_STAMP, raw, 0));
        }
        return deliveries;
    }

    @Override
    protected void acknowledge(List<Delivery> done) {
        List<byte[]> entries = new ArrayList<>(done.size());
        for (Delivery delivery : done) {
            entries.add(entryOf(delivery));
        }
        ack.acknowledge(entries);
    }

    @Override
    protected void redeliverLater(Delivery delivery, boolean countsAsAttempt, long delayMillis, byte[] requeueAs) {
        byte[] entry = entryOf(delivery);
        byte[] parked;
        if (requeueAs != null) {
            parked = requeueAs;
        } else if (own) {
            parked = entry;
        } else {
            parked = QueueEntry.requeued(delivery.priorAttempts() + (countsAsAttempt ? 1 : 0), delivery.payload());
        }
        redis.execute(RedisScripts.RETRY_LATER,
                List.of(endpoint.getProcessingList(), endpoint.getDelayedSet(), delayedSeq),
                entry, parked, bytes(Long.toString(delayMillis)), own ? ONE : ZERO);
    }

    /** The entry as it sits in the processing list: its stamp, then its payload. */
    private static byte[] entryOf(Delivery delivery) {
        if (delivery.id().length == 0) {
            return delivery.payload();
        }
        byte[] entry = Arrays.copyOf(delivery.id(), delivery.id().length + delivery.payload().length);
        System.arraycopy(delivery.payload(), 0, entry, delivery.id().length, delivery.payload().length);
        return entry;
    }

    @Override
    protected boolean mayMaintain() {
        // An own processing list needs no recoverer; moving due entries is one atomic script, safe anywhere.
        return own || super.mayMaintain();
    }

    @Override
    protected void maintain() {
        byte[] limit = bytes(Integer.toString(MAINTENANCE_LIMIT));
        Long moved;
        do {
            moved = redis.execute(RedisScripts.MOVE_DUE, List.of(endpoint.getDelayedSet(), endpoint.getKey()), limit,
                    own ? ONE : ZERO);
        } while (own && moved != null && moved == MAINTENANCE_LIMIT);
        if (!own) {
            redis.execute(RedisScripts.RECOVER, List.of(endpoint.getProcessingList(), endpoint.getKey()),
                    bytes(Long.toString(endpoint.visibilityTimeoutMillis())), limit);
        }
    }

    @Override
    protected void afterStop() {
        if (!own) {
            return;
        }
        try {
            long returned = returnAll();
            if (returned > 0) {
                LOG.info("Returned {} in-flight entries to {}", returned, endpoint.getKey());
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not return in-flight entries of {} now ({}); they are returned on the next start",
                    endpoint.getProcessingList(), e.getMessage());
        }
    }

    /** Own processing list: everything in it back to the consuming end of the queue (one atomic move each). */
    private long returnAll() {
        long n = 0;
        while (redis.opsForList().move(ListOperations.MoveFrom.fromHead(endpoint.getProcessingList()),
                ListOperations.MoveTo.toTail(endpoint.getKey())) != null) {
            n++;
        }
        return n;
    }

    @Override
    protected long queueLength() {
        Long size = redis.opsForList().size(endpoint.getKey());
        return size == null ? -1 : size;
    }

    /** Script arguments go through the byte serializer too. */
    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
