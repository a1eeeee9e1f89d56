package routes.config;

import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ShutdownStrategy;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code ingest.shutdown.timeout} → Camel's shutdown strategy: on SIGTERM Camel suspends/stops every
 * route consumer first, then waits this long for the exchanges in flight (our batch aggregator
 * completes them once their batch commits), then forces the routes down; the aggregator fails what
 * is left, so no message is acked without its rows. Spring's web-server phase uses the same value
 * through {@code spring.lifecycle.timeout-per-shutdown-phase} in application.yml.
 */
@Configuration(proxyBeanMethods = false)
public class ShutdownConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownConfiguration.class);

    @Bean
    CamelContextConfiguration shutdownTimeout(IngestProperties properties) {
        Duration timeout = properties.shutdown().timeout();
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalStateException("ingest.shutdown.timeout must be positive, was " + timeout);
        }
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext context) {
                // Runs after camel.main.* was applied, so this value wins. Whole seconds: Camel logs
                // its countdown in seconds, and a timeout below one second would not be graceful.
                ShutdownStrategy strategy = context.getShutdownStrategy();
                strategy.setTimeUnit(java.util.concurrent.TimeUnit.SECONDS);
                strategy.setTimeout(Math.max(1, (timeout.toMillis() + 999) / 1000));
                // On timeout stop the routes anyway: the aggregator then fails its pending exchanges,
                // which the sources redeliver, instead of the process hanging until SIGKILL.
                strategy.setShutdownNowOnTimeout(true);
                strategy.setLogInflightExchangesOnTimeout(true);
            }

            @Override
            public void afterApplicationStart(CamelContext context) {
                LOG.info("Graceful shutdown: Camel waits up to {} s for in-flight exchanges (ingest.shutdown.timeout)",
                        context.getShutdownStrategy().getTimeout());
            }
        };
    }
}
