package routes.delivery;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import routes.source.redis.RedisSourceProperties;

/** The Redis ingest source and the delivery worker on the same keys would take each other's messages. */
class DeliveryKeyOverlapTest {

    static DeliveryProperties delivery(String queue) {
        return new Binder(new MapConfigurationPropertySource(Map.of("ingest.delivery.queue", queue,
                "ingest.delivery.delayed-set", queue + ":delayed", "ingest.delivery.dlq", queue + ":dlq",
                "ingest.delivery.worker-id", "w1"))).bindOrCreate("ingest.delivery", DeliveryProperties.class);
    }

    static RedisSourceProperties redis(boolean enabled, Map<String, String> keys) {
        MapConfigurationPropertySource source = new MapConfigurationPropertySource(keys);
        source.put("ingest.sources.redis.enabled", Boolean.toString(enabled));
        return new Binder(source).bindOrCreate("ingest.sources.redis", RedisSourceProperties.class);
    }

    @Test
    void theSameQueueIsRefusedNamingBothKeys() {
        assertThatThrownBy(() -> DeliveryKeyOverlap.check(delivery("message_queue"), redis(true, Map.of())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ingest.delivery.queue = ingest.sources.redis.queue = \"message_queue\"")
                .hasMessageContaining("ingest.delivery.delayed-set = ingest.sources.redis.delayed-set = \"message_queue:delayed\"")
                .hasMessageContaining("ingest.sources.redis.enabled=false");
    }

    @Test
    void anyOtherSharedKeyIsRefusedToo() {
        // The delivery queue is the ingest source's dead-letter list: dead letters would be POSTed to the main server.
        assertThatThrownBy(() -> DeliveryKeyOverlap.check(delivery("jobs"),
                redis(true, Map.of("ingest.sources.redis.dlq", "jobs"))))
                .hasMessageContaining("ingest.delivery.queue = ingest.sources.redis.dlq = \"jobs\"");
    }

    @Test
    void differentKeysOrTheSourceSwitchedOffAreFine() {
        assertThatCode(() -> DeliveryKeyOverlap.check(delivery("delivery_queue"), redis(true, Map.of())))
                .doesNotThrowAnyException();
        assertThatCode(() -> DeliveryKeyOverlap.check(delivery("message_queue"), redis(false, Map.of())))
                .doesNotThrowAnyException();
        assertThatCode(() -> DeliveryKeyOverlap.check(delivery("message_queue"), null)).doesNotThrowAnyException();
    }
}
