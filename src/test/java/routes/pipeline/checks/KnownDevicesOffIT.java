package routes.pipeline.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.support.PerParameterMessages;
import routes.support.TestDatabase;

/**
 * The known-devices check as shipped: off. None of its routes exists, no table is read (there is none in
 * this database), and an event of any device is committed (over HTTP).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "ingest.security.admin-password=known-devices-off-it"})
class KnownDevicesOffIT {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_known_devices_off"));
        registry.add("ingest.embedded-db.enabled", () -> "false");
    }

    @Autowired CamelContext camel;
    @Autowired JdbcTemplate jdbc;
    @LocalServerPort int port;

    @Test
    void offByDefaultNoRouteAndAnyDeviceIsCommitted() throws Exception {
        assertThat(camel.getRoute("known-devices")).isNull();
        assertThat(camel.getRoute("known-devices-refresh")).isNull();
        assertThat(camel.getRoute("known-devices-load")).isNull();
        assertThat(camel.getRoute("ingest")).as("the pipeline with its hook is there").isNotNull();
        UUID device = UUID.randomUUID();

        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/events"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"device_id\":\"" + device + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\","
                                + "\"metrics\":[{\"parameter_key\":\"anything\",\"value\":1}]}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(PerParameterMessages.rows(jdbc, device)).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Long.class)).isZero();
    }
}
