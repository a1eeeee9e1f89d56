package routes.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.amqp.RabbitProperties;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

/**
 * application.yml's RabbitMQ and Redis connection keys, read with the seeds' variable names as a
 * deployment sets them: who wins, the defaults, and that TLS stays off unless asked for.
 */
class BrokerConnectionConfigTest {

    static Binder binder(Map<String, Object> env) throws Exception {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("env", env));
        List<PropertySource<?>> yaml = new YamlPropertySourceLoader()
                .load("application.yml", new ClassPathResource("application.yml"));
        yaml.forEach(environment.getPropertySources()::addLast);
        return Binder.get(environment);
    }

    static RabbitProperties rabbit(Map<String, Object> env) throws Exception {
        return binder(env).bind("spring.rabbitmq", Bindable.ofInstance(new RabbitProperties())).get();
    }

    static RedisProperties redis(Map<String, Object> env) throws Exception {
        return binder(env).bind("spring.data.redis", Bindable.ofInstance(new RedisProperties())).get();
    }

    @Test
    void rabbitMqDefaultsArePlainGuestOnTheRootVhost() throws Exception {
        RabbitProperties rabbit = rabbit(Map.of());
        assertThat(rabbit.getSsl().determineEnabled()).isFalse();
        assertThat(rabbit.determinePort()).isEqualTo(5672);
        assertThat(rabbit.determineUsername()).isEqualTo("guest");
        assertThat(rabbit.determineVirtualHost()).isEqualTo("/");
        assertThat(rabbit.getSsl().isVerifyHostname()).isTrue();
    }

    @Test
    void rabbitMqSeedNames() throws Exception {
        RabbitProperties rabbit = rabbit(Map.of("RABBITMQ_HOST", "mq", "RABBITMQ_USER", "seed", "RABBITMQ_PASSWORD", "pw",
                "RABBITMQ_VHOST", "ingest", "RABBITMQ_SSL", "true"));
        assertThat(rabbit.determineHost()).isEqualTo("mq");
        assertThat(rabbit.determineUsername()).isEqualTo("seed");
        assertThat(rabbit.determinePassword()).isEqualTo("pw");
        assertThat(rabbit.determineVirtualHost()).isEqualTo("ingest");
        assertThat(rabbit.getSsl().determineEnabled()).isTrue();
        // no bundle named: RabbitMqTls supplies the bundle "rabbitmq"
        assertThat(rabbit.getSsl().getBundle()).isNull();
        assertThat(rabbit.determinePort()).as("AMQPS by default with TLS").isEqualTo(5671);

        assertThat(rabbit(Map.of("RABBITMQ_USER", "old", "RABBITMQ_USERNAME", "new")).determineUsername()).isEqualTo("new");
        assertThat(rabbit(Map.of("RABBITMQ_SSL", "true", "RABBITMQ_PORT", "15671")).determinePort()).isEqualTo(15671);
    }

    @Test
    void redisDefaultsAreNoAuthAndNoTls() throws Exception {
        RedisProperties redis = redis(Map.of());
        assertThat(redis.getSsl().isEnabled()).as("the bundle name alone does not switch TLS on").isFalse();
        assertThat(redis.getPassword()).isEmpty();
        assertThat(redis.getUsername()).isEmpty();
    }

    @Test
    void redisSeedNames() throws Exception {
        RedisProperties redis = redis(Map.of("REDIS_USERNAME", "ingest", "REDIS_PASSWORD", "pw", "REDIS_SSL", "true"));
        assertThat(redis.getUsername()).isEqualTo("ingest");
        assertThat(redis.getPassword()).isEqualTo("pw");
        assertThat(redis.getSsl().isEnabled()).isTrue();
        assertThat(redis.getSsl().getBundle()).isEqualTo("redis");
        assertThat(redis(Map.of("REDIS_TLS", "true")).getSsl().isEnabled()).as("the older name").isTrue();
        assertThat(redis(Map.of("REDIS_SSL_BUNDLE", "mine", "REDIS_SSL", "true")).getSsl().getBundle()).isEqualTo("mine");
    }

    /** The bundles exist, empty, when no certificate is given, so that nothing fails at start-up. */
    @Test
    void emptyBundlesLoad() throws Exception {
        Binder binder = binder(Map.of());
        String ca = binder.bind("spring.ssl.bundle.pem.rabbitmq.truststore.certificate", String.class).orElse(null);
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
                .withPropertyValues("spring.ssl.bundle.pem.rabbitmq.truststore.certificate=" + (ca == null ? "" : ca),
                        "spring.ssl.bundle.pem.rabbitmq.keystore.certificate=",
                        "spring.ssl.bundle.pem.rabbitmq.keystore.private-key=",
                        "spring.ssl.bundle.pem.rabbitmq.keystore.private-key-password=",
                        "spring.ssl.bundle.pem.redis.truststore.certificate=")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    SslBundles bundles = context.getBean(SslBundles.class);
                    assertThat(bundles.getBundle("rabbitmq").createSslContext()).isNotNull();
                    assertThat(bundles.getBundle("redis").createSslContext()).isNotNull();
                });
    }
}
