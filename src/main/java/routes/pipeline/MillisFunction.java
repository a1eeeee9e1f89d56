package routes.pipeline;

import java.time.Duration;
import org.apache.camel.spi.PropertiesFunction;
import org.springframework.core.env.Environment;

/**
 * Property placeholder function {@code {{millis:<key>}}}: the Spring property {@code key}, a duration
 * ("200ms", "10s", or a number of milliseconds), as milliseconds. For route options that take a number of
 * milliseconds, such as a redelivery policy's delays, from the app's duration keys (ingest.redelivery.*).
 */
public class MillisFunction implements PropertiesFunction {

    private final Environment environment;

    public MillisFunction(Environment environment) {
        this.environment = environment;
    }

    @Override
    public String getName() {
        return "millis";
    }

    @Override
    public String apply(String key) {
        Duration duration = environment.getProperty(key.trim(), Duration.class);
        if (duration == null) {
            throw new IllegalArgumentException("{{millis:" + key + "}}: no property " + key);
        }
        return Long.toString(duration.toMillis());
    }
}
