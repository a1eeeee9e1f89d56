package routes.security;

import java.nio.file.Path;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.header.HeaderWriterFilter;

/**
 * Who may call what: health, prometheus and {@code /v1/health} are open; {@code POST /v1/events} is open
 * or needs {@code ingest.security.events-token}; dead letters (reads included), {@code /console} and
 * every other actuator endpoint need the admin (HTTP Basic or the admin token).
 */
@Configuration
public class SecurityConfiguration {

    public static final String ADMIN = "INGEST_ADMIN";

    private final SecurityProperties properties;

    public SecurityConfiguration(SecurityProperties properties) {
        this.properties = properties;
    }

    @Bean
    SecurityFilterChain ingestSecurity(HttpSecurity http) throws Exception {
        http
            // Stateless Basic/bearer API used by scripts: no session, no CSRF token (see CrossSiteWriteFilter).
            .csrf(csrf -> csrf.disable())
            .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
            .httpBasic(basic -> basic.realmName("ingest-routes"))
            .addFilterBefore(new AdminTokenFilter(properties), BasicAuthenticationFilter.class)
            .addFilterAfter(new CrossSiteWriteFilter(), HeaderWriterFilter.class)
            .authorizeHttpRequests(auth -> auth
                .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus").permitAll()
                .requestMatchers("/actuator", "/actuator/**").hasRole(ADMIN)
                .requestMatchers(HttpMethod.POST, "/v1/events").access(eventsAccess())
                .requestMatchers(HttpMethod.GET, "/v1/health").permitAll()
                .requestMatchers(HttpMethod.GET, "/v1/messages/*").permitAll()
                // Reads too: dead letters hold the producers' payloads (docs/adr/0004-ops-admin-security.md).
                .requestMatchers("/v1/dead-letters", "/v1/dead-letters/**").hasRole(ADMIN)
                .requestMatchers("/console", "/console/**").hasRole(ADMIN)
                .requestMatchers("/error").permitAll()
                // Anything not named above (new endpoints) is closed until someone opens it on purpose.
                .anyRequest().hasRole(ADMIN));
        return http.build();
    }

    /** Open, or the events token as a bearer token when one is configured. */
    private AuthorizationManager<RequestAuthorizationContext> eventsAccess() {
        return (authentication, context) -> new AuthorizationDecision(!properties.hasEventsToken()
                || BearerTokens.matches(context.getRequest(), properties.eventsToken()));
    }

    @Bean
    UserDetailsService ingestUsers(PasswordEncoder encoder) {
        String password = properties.adminPassword();
        if (!properties.hasAdminPassword()) {
            if (properties.requireAdminPassword()) {
                throw new IllegalStateException("No admin password configured: set ingest.security.admin-password "
                        + "(environment INGEST_ADMIN_PASSWORD). The brokers profile has no default password.");
            }
            password = GeneratedAdminPassword.readOrCreate(Path.of(properties.generatedPasswordFile()),
                    properties.adminUser());
        }
        return new InMemoryUserDetailsManager(User.withUsername(properties.adminUser())
                .password(encoder.encode(password)).roles(ADMIN).build());
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }
}
