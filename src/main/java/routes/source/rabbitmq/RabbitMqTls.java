package routes.source.rabbitmq;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.amqp.ConnectionFactoryCustomizer;
import org.springframework.boot.autoconfigure.amqp.RabbitProperties;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * TLS of the RabbitMQ connection ({@code spring.rabbitmq.ssl.*}), where Spring Boot 3.5 leaves two gaps:
 * <ul>
 * <li>With TLS on and no {@code spring.rabbitmq.ssl.bundle}, the PEM bundle {@value #BUNDLE}
 *     ({@code RABBITMQ_SSL_CA}, {@code RABBITMQ_SSL_CERT}, {@code RABBITMQ_SSL_KEY}) is used. Naming a
 *     bundle in application.yml is not possible: Boot switches TLS on whenever a bundle name is set.</li>
 * <li>The broker's host name is checked against its certificate whenever {@code verify-hostname} is on
 *     (the default): Boot applies {@code verify-hostname} only when no bundle is named (spring-boot#50168),
 *     so with {@code spring.rabbitmq.ssl.bundle} set a certificate of any host signed by the CA was accepted.</li>
 * </ul>
 * Applies to the one connection factory every RabbitMQ part uses, whether or not the source is enabled.
 */
@Configuration(proxyBeanMethods = false)
public class RabbitMqTls {

    /** The bundle used when TLS is on and {@code spring.rabbitmq.ssl.bundle} names none. */
    public static final String BUNDLE = "rabbitmq";

    @Bean
    ConnectionFactoryCustomizer rabbitMqTlsCustomizer(RabbitProperties properties, ObjectProvider<SslBundles> bundles) {
        return factory -> {
            RabbitProperties.Ssl ssl = properties.getSsl();
            if (!ssl.determineEnabled()) {
                return;
            }
            if (ssl.getBundle() == null && ssl.getTrustStore() == null && ssl.getKeyStore() == null) {
                SslBundle bundle = ownBundle(bundles.getIfAvailable());
                if (bundle != null) {
                    factory.useSslProtocol(bundle.createSslContext());
                }
            }
            if (ssl.isValidateServerCertificate() && ssl.isVerifyHostname()) {
                factory.enableHostnameVerification();
            }
        };
    }

    private static SslBundle ownBundle(SslBundles bundles) {
        if (bundles == null) {
            return null;
        }
        try {
            return bundles.getBundle(BUNDLE);
        } catch (NoSuchSslBundleException e) {
            return null;
        }
    }
}
