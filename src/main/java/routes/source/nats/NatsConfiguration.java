package routes.source.nats;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.ssl.SslBundles;
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

    @Bean("jetstream")
    JetStreamComponent jetstream(ObjectProvider<NatsConnector> connector, IngestProperties properties) {
        return new JetStreamComponent(connector::getIfAvailable, properties.redelivery());
    }

    /**
     * Connects in the background and for ever: with NATS down the app starts (health DOWN) and the source
     * begins when NATS comes up. The streams are created, with their limits, before anything publishes or
     * consumes; when NATS answers at start-up an incompatible stream fails start-up.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(prefix = "ingest.sources.nats", name = "enabled", havingValue = "true")
    NatsConnector natsConnector(NatsSourceProperties properties, SslBundles bundles) throws InterruptedException {
        NatsConnector connector = NatsConnector.of(properties, bundles);
        connector.start(properties.connectionTimeout());
        return connector;
    }

    @Bean
    @ConditionalOnProperty(prefix = "ingest.sources.nats", name = "enabled", havingValue = "true")
    NatsSource natsSource(NatsConnector natsConnector, NatsSourceProperties properties) {
        return new NatsSource(natsConnector, properties);
    }

    @Bean
    @ConditionalOnProperty(prefix = "ingest.sources.nats", name = "enabled", havingValue = "true")
    NatsHealthIndicator natsHealthIndicator(NatsConnector natsConnector, NatsSource source, NatsSourceProperties properties) {
        return new NatsHealthIndicator(natsConnector, source, properties);
    }
}
