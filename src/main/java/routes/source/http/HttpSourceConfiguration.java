package routes.source.http;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.security.SecurityProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The servlet side of {@code POST /v1/events}: its body is read, bounded, before the route takes it. */
@Configuration
@ConditionalOnProperty(prefix = "ingest.sources.http", name = "enabled", havingValue = "true", matchIfMissing = true)
public class HttpSourceConfiguration {

    @Bean
    FilterRegistrationBean<EventsRequestFilter> eventsRequestFilter(HttpSourceProperties properties, HttpResponses responses) {
        FilterRegistrationBean<EventsRequestFilter> registration =
                new FilterRegistrationBean<>(new EventsRequestFilter(properties.maxRequestBytes(), responses));
        registration.addUrlPatterns(EventsRequestFilter.PATH);
        // After the security filters: an unauthorised client's body is never read.
        registration.setOrder(SecurityProperties.DEFAULT_FILTER_ORDER + 10);
        return registration;
    }
}
