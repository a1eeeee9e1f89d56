package routes.pipeline.dedup;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.pipeline.IngestExchange;

/**
 * Lets the idempotent consumer remember an event only once its rows committed: used with
 * {@code eager=false}, the key is added when the exchange completes; this decorator refuses the add
 * when the exchange ended in the dead letters (so a replay is not taken for a duplicate) and lets a
 * replayed dead letter through.
 *
 * <p>The store is an optimisation, never a condition of landing: the upsert and the stats deltas make a
 * re-committed identical row a no-op. So a store that fails (Redis down) answers "not seen" to a look-up
 * and forgets an add: the message is written again instead of being retried or dead-lettered. The
 * outage is logged once when it starts and once when the store answers again.
 */
public class CommittedOnlyIdempotentRepository extends ServiceSupport implements IdempotentRepository {

    private static final Logger LOG = LoggerFactory.getLogger(CommittedOnlyIdempotentRepository.class);

    private final IdempotentRepository delegate;
    private final AtomicBoolean failing = new AtomicBoolean();

    public CommittedOnlyIdempotentRepository(IdempotentRepository delegate) {
        this.delegate = delegate;
    }

    @Override
    public boolean contains(Exchange exchange, String key) {
        if (exchange.getProperty(IngestExchange.REPLAY, false, Boolean.class)) {
            return false;
        }
        try {
            return answered(delegate.contains(exchange, key));
        } catch (RuntimeException e) {
            return failed(e, false);
        }
    }

    @Override
    public boolean add(Exchange exchange, String key) {
        if (exchange.getProperty(IngestExchange.DEAD_LETTERED, false, Boolean.class)) {
            return false;
        }
        try {
            return answered(delegate.add(exchange, key));
        } catch (RuntimeException e) {
            return failed(e, false);
        }
    }

    @Override
    public boolean add(String key) {
        try {
            return answered(delegate.add(key));
        } catch (RuntimeException e) {
            return failed(e, false);
        }
    }

    @Override
    public boolean contains(String key) {
        try {
            return answered(delegate.contains(key));
        } catch (RuntimeException e) {
            return failed(e, false);
        }
    }

    /** Whether the store failed its last call (an outage in progress). */
    public boolean failing() {
        return failing.get();
    }

    private boolean answered(boolean answer) {
        if (failing.compareAndSet(true, false)) {
            LOG.info("Committed-key store answers again: duplicates are recognised from memory again");
        }
        return answer;
    }

    private boolean failed(RuntimeException e, boolean answer) {
        if (failing.compareAndSet(false, true)) {
            LOG.warn("Committed-key store failing ({}): messages are written as new (the upsert keeps rows and "
                    + "stats exact) until it answers again", e.toString());
        }
        return answer;
    }

    @Override
    public boolean remove(String key) {
        return delegate.remove(key);
    }

    @Override
    public boolean confirm(String key) {
        return delegate.confirm(key);
    }

    @Override
    public void clear() {
        delegate.clear();
    }

    @Override
    protected void doStart() throws Exception {
        delegate.start();
    }

    @Override
    protected void doStop() throws Exception {
        delegate.stop();
    }
}
