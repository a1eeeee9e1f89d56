package routes.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ingest.security.*}: who may use the admin API, the console and the actuator endpoints that are
 * not health or prometheus, and whether {@code POST /v1/events} needs a token.
 *
 * @param adminUser             the HTTP Basic user of the admin API, the console and the actuator
 * @param adminPassword         its password ({@code INGEST_ADMIN_PASSWORD}); empty: with the
 *                              {@code brokers} profile the app refuses to start, otherwise the one in
 *                              {@code generated-password-file} is used (generated there on first start)
 * @param adminToken            optional bearer token accepted instead of the Basic credentials
 *                              ({@code INGEST_ADMIN_TOKEN}); empty: none
 * @param eventsToken           optional bearer token {@code POST /v1/events} requires
 *                              ({@code INGEST_EVENTS_TOKEN}); empty: the endpoint is open
 * @param requireAdminPassword  refuse to start without {@code admin-password}; the {@code brokers}
 *                              profile sets it to true
 * @param generatedPasswordFile where the embedded default keeps the admin password it generated
 *                              ({@code INGEST_ADMIN_PASSWORD_FILE}): readable by its owner only, reused on
 *                              every start while it exists
 */
@ConfigurationProperties("ingest.security")
public record SecurityProperties(
        @DefaultValue("admin") String adminUser,
        @DefaultValue("") String adminPassword,
        @DefaultValue("") String adminToken,
        @DefaultValue("") String eventsToken,
        @DefaultValue("false") boolean requireAdminPassword,
        @DefaultValue("./data/admin-password") String generatedPasswordFile) {

    public boolean hasAdminPassword() {
        return adminPassword != null && !adminPassword.isBlank();
    }

    public boolean hasAdminToken() {
        return adminToken != null && !adminToken.isBlank();
    }

    public boolean hasEventsToken() {
        return eventsToken != null && !eventsToken.isBlank();
    }
}
