package routes.pipeline;

import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Lets the idempotent consumer remember an event only once its rows committed: used with
 * {@code eager=false}, the key is added when the exchange completes; this decorator refuses the add
 * when the exchange ended in the dead letters (so a replay is not taken for a duplicate) and lets a
 * replayed dead letter through.
 */
public class CommittedOnlyIdempotentRepository extends ServiceSupport implements IdempotentRepository {

    private final IdempotentRepository delegate;

    public CommittedOnlyIdempotentRepository(IdempotentRepository delegate) {
        this.delegate = delegate;
    }

    @Override
    public boolean contains(Exchange exchange, String key) {
        if (exchange.getProperty(IngestExchange.REPLAY, false, Boolean.class)) {
            return false;
        }
        return delegate.contains(exchange, key);
    }

    @Override
    public boolean add(Exchange exchange, String key) {
        if (exchange.getProperty(IngestExchange.DEAD_LETTERED, false, Boolean.class)) {
            return false;
        }
        return delegate.add(exchange, key);
    }

    @Override
    public boolean add(String key) {
        return delegate.add(key);
    }

    @Override
    public boolean contains(String key) {
        return delegate.contains(key);
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
