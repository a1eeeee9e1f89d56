package routes.source.redis;

import javax.net.ssl.SSLParameters;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.data.redis.JedisClientConfigurationBuilderCustomizer;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.StringUtils;

/**
 * TLS of the Redis connection ({@code spring.data.redis.ssl.*}, used by the Redis source, the idempotency
 * repository and the delivery queue alike): the server's certificate must name the host connected to.
 * Spring Boot 3.5 hands Jedis the bundle's socket factory and protocols but no host name check, so any
 * certificate signed by the CA was accepted. Off with {@code ingest.redis.ssl.verify-hostname=false}.
 */
@Configuration(proxyBeanMethods = false)
public class RedisTls {

    @Bean
    JedisClientConfigurationBuilderCustomizer redisTlsHostnameVerification(
            RedisProperties properties, ObjectProvider<SslBundles> bundles,
            @Value("${ingest.redis.ssl.verify-hostname:true}") boolean verifyHostname) {
        return builder -> {
            if (!verifyHostname || !properties.getSsl().isEnabled()) {
                return;
            }
            String name = properties.getSsl().getBundle();
            SslBundle bundle = StringUtils.hasLength(name) ? bundles.getObject().getBundle(name) : SslBundle.systemDefault();
            // Boot's own parameters (the bundle's ciphers and protocols), plus the host name check.
            SSLParameters parameters = new SSLParameters();
            SslOptions options = bundle.getOptions();
            if (options.getCiphers() != null) {
                parameters.setCipherSuites(options.getCiphers());
            }
            if (options.getEnabledProtocols() != null) {
                parameters.setProtocols(options.getEnabledProtocols());
            }
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            builder.useSsl().sslParameters(parameters);
        };
    }
}
