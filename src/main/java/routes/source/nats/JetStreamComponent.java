package routes.source.nats;

import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import routes.config.IngestProperties;

/**
 * Camel component {@code jetstream:<stream>?subject=...&durable=...}: a JetStream durable pull consumer
 * that acks a message only after the route completed it (camel-nats 4.17.0 cannot: docs/sources/nats.md).
 * The NATS connection is looked up only when a consumer starts, so a route that never starts
 * (the source disabled) needs no NATS server; a consumer started while NATS is down waits for it.
 */
public class JetStreamComponent extends DefaultComponent {

    private final Supplier<NatsConnector> connector;
    private final IngestProperties.Redelivery redelivery;

    public JetStreamComponent(Supplier<NatsConnector> connector, IngestProperties.Redelivery redelivery) {
        this.connector = connector;
        this.redelivery = redelivery;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        JetStreamEndpoint endpoint = new JetStreamEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    /** The NATS connection to consume on; fails when NATS is not configured (ingest.sources.nats.enabled=false). */
    NatsConnector connector() {
        NatsConnector c = connector.get();
        if (c == null) {
            throw new IllegalStateException("jetstream: no NATS connection; set ingest.sources.nats.enabled=true");
        }
        return c;
    }

    IngestProperties.Redelivery redelivery() {
        return redelivery;
    }
}
