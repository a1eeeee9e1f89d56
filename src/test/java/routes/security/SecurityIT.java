package routes.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.support.Http;
import routes.support.TestDatabase;

/** Every protected endpoint (dead-letter reads included) answers 401 without credentials and works with them; the open ones stay open. */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ingest.security.admin-user=ops",
        "ingest.security.admin-password=" + SecurityIT.PASSWORD,
        "ingest.security.admin-token=" + SecurityIT.ADMIN_TOKEN,
        "ingest.security.events-token=" + SecurityIT.EVENTS_TOKEN})
class SecurityIT {

    static final String PASSWORD = "security-it-password";
    static final String ADMIN_TOKEN = "security-it-admin-token";
    static final String EVENTS_TOKEN = "security-it-events-token";
    private static final String ADMIN = Http.basic("ops", PASSWORD);
    private static final String EVENT = "{\"device_id\": \"6b0e2a51-3f0f-4d9f-8a55-1c2b3d4e5f60\", "
            + "\"source_timestamp\": \"2026-11-22T10:15:30Z\", \"metrics\": [{\"parameter_key\": \"sec\", \"value\": 1}]}";

    /** Method and path of every endpoint that needs the admin, with the status it answers when allowed. */
    private static final List<String[]> PROTECTED = List.of(
            new String[] {"GET", "/console", "200"},
            new String[] {"GET", "/console/index.html", "200"},
            new String[] {"GET", "/console/console.js", "200"},
            new String[] {"GET", "/console/api/flow", "200"},
            new String[] {"GET", "/actuator", "200"},
            new String[] {"GET", "/actuator/metrics", "200"},
            new String[] {"GET", "/actuator/info", "200"},
            new String[] {"GET", "/actuator/camelroutes", "200"},
            // Dead letters hold the producers' payloads: read with the admin credentials only (CONTRACT §5).
            new String[] {"GET", "/v1/dead-letters", "200"},
            new String[] {"GET", "/v1/dead-letters?source=nobody&limit=5", "200"},
            new String[] {"GET", "/v1/dead-letters/424242", "404"},
            new String[] {"POST", "/v1/dead-letters/424242/replay", "404"},
            new String[] {"POST", "/v1/dead-letters/replay?source=nobody", "200"},
            new String[] {"DELETE", "/v1/dead-letters/424242", "404"},
            new String[] {"DELETE", "/v1/dead-letters?source=nobody&confirm=yes", "200"});

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_ops_security"));
        registry.add("ingest.embedded-db.enabled", () -> "false");
    }

    @LocalServerPort int port;
    private Http http;

    @BeforeEach
    void client() {
        http = new Http(port);
    }

    @Test
    void protectedEndpointsAnswer401WithoutCredentials() {
        for (String[] endpoint : PROTECTED) {
            var answer = http.send(endpoint[0], endpoint[1], null, null);
            assertThat(answer.statusCode()).as(endpoint[0] + " " + endpoint[1]).isEqualTo(401);
            assertThat(answer.headers().firstValue("WWW-Authenticate")).as(endpoint[1]).hasValueSatisfying(
                    v -> assertThat(v).startsWith("Basic"));
        }
    }

    @Test
    void protectedEndpointsAnswer401WithAWrongPassword() {
        for (String[] endpoint : PROTECTED) {
            assertThat(http.send(endpoint[0], endpoint[1], null, Http.basic("ops", "wrong")).statusCode())
                    .as(endpoint[0] + " " + endpoint[1]).isEqualTo(401);
        }
    }

    @Test
    void protectedEndpointsWorkWithBasicCredentialsOrTheAdminToken() {
        for (String[] endpoint : PROTECTED) {
            int expected = Integer.parseInt(endpoint[2]);
            assertThat(http.send(endpoint[0], endpoint[1], null, ADMIN).statusCode())
                    .as("basic " + endpoint[0] + " " + endpoint[1]).isEqualTo(expected);
            assertThat(http.send(endpoint[0], endpoint[1], null, Http.bearer(ADMIN_TOKEN)).statusCode())
                    .as("token " + endpoint[0] + " " + endpoint[1]).isEqualTo(expected);
        }
    }

    @Test
    void healthAndPrometheusStayOpen() {
        for (String path : List.of("/actuator/health", "/actuator/prometheus", "/v1/health")) {
            assertThat(http.get(path, null).statusCode()).as(path).isEqualTo(200);
        }
    }

    @Test
    void eventsNeedTheEventsTokenWhenOneIsConfigured() {
        assertThat(http.send("POST", "/v1/events", EVENT, null).statusCode()).isEqualTo(401);
        assertThat(http.send("POST", "/v1/events", EVENT, Http.bearer("not-it")).statusCode()).isEqualTo(401);
        // The admin's password is not the events token: producers and operators hold different secrets.
        assertThat(http.send("POST", "/v1/events", EVENT, ADMIN).statusCode()).isEqualTo(403);
        assertThat(http.send("POST", "/v1/events", EVENT, Http.bearer(EVENTS_TOKEN)).statusCode()).isEqualTo(202);
    }

    @Test
    void aCrossSiteBrowserWriteIsRefusedEvenWithCredentials() {
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        "http://127.0.0.1:" + port + "/v1/dead-letters/replay?source=nobody"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Authorization", ADMIN).header("Sec-Fetch-Site", "cross-site").build();
        try {
            var answer = java.net.http.HttpClient.newHttpClient().send(request,
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(403);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
