package routes.source.nats;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.RetentionPolicy;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import routes.config.IngestProperties;

/**
 * The NATS source's beans. The {@code jetstream} Camel component always exists (so the route in
 * routes/nats-source.camel.yaml can be read when the source is off); the connection, the streams,
 * the nats IngestSource and its health only when {@code ingest.sources.nats.enabled=true}.
 */
@Configuration(proxyBeanMethods = false)
public class NatsConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(NatsConfiguration.class);

    @Bean("jetstream")
    JetStreamComponent jetstream(ObjectProvider<Connection> connection, IngestProperties properties) {
        return new JetStreamComponent(connection::getIfAvailable, properties.redelivery());
    }

    /** Reconnects for ever (maxReconnects -1), so a NATS restart needs no app restart. */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(prefix = "ingest.sources.nats", name = "enabled", havingValue = "true")
    Connection natsConnection(NatsSourceProperties properties) throws Exception {
        Options options = Options.builder()
                .server(properties.url())
                .connectionName("ingest-routes")
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(500))
                .connectionTimeout(Duration.ofSeconds(5))
                .connectionListener(logListener())
                .build();
        Connection connection = Nats.connect(options);
        // The streams exist before anything publishes (HTTP publish-to, dead letters) or consumes.
        JetStreamTopology.ensureStream(connection, properties.stream(), properties.subject(), RetentionPolicy.WorkQueue,
                properties.duplicateWindow());
        JetStreamTopology.ensureStream(connection, properties.dlqStream(), properties.dlqSubject(), RetentionPolicy.Limits,
                properties.duplicateWindow());
        return connection;
    }

    @Bean
    @ConditionalOnProperty(prefix = "ingest.sources.nats", name = "enabled", havingValue = "true")
    NatsSource natsSource(Connection natsConnection, NatsSourceProperties properties) throws Exception {
        return new NatsSource(natsConnection, properties);
    }

    @Bean
    @ConditionalOnProperty(prefix = "ingest.sources.nats", name = "enabled", havingValue = "true")
    NatsHealthIndicator natsHealthIndicator(Connection natsConnection, NatsSource source, NatsSourceProperties properties) {
        return new NatsHealthIndicator(natsConnection, source, properties);
    }

    private static ConnectionListener logListener() {
        return (connection, event) -> {
            switch (event) {
                case DISCONNECTED -> LOG.warn("NATS disconnected; reconnecting");
                case RECONNECTED -> LOG.info("NATS reconnected to {}", connection.getConnectedUrl());
                case CONNECTED -> LOG.info("NATS connected to {}", connection.getConnectedUrl());
                default -> LOG.debug("NATS {}", event);
            }
        };
    }
}
