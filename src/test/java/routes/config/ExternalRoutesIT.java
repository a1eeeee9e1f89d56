package routes.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.support.TestDatabase;

/**
 * A team's route file in {@code ingest.routes.directory} runs next to the jar's routes, feeds the shared
 * pipeline, and is reloaded when the file changes ({@code ingest.routes.reload=true}).
 */
// The directory is a plain property, not a @DynamicPropertySource: ExternalRoutes reads it while the
// environment is prepared, before dynamic test properties exist (as env vars and application.yml do).
@SpringBootTest(properties = {"ingest.security.admin-password=external-routes-it", "ingest.routes.reload=true",
        "ingest.routes.directory=" + ExternalRoutesIT.DIRECTORY_NAME})
class ExternalRoutesIT {

    static final String DIRECTORY_NAME = "target/external-routes-it";
    static final Path DIRECTORY = createDirectory();
    private static final String ROUTE = """
            # A team's route, loaded from ingest.routes.directory.
            - route:
                id: external-routes-it
                from:
                  uri: direct:external-routes-it
                  steps:
                    - setProperty: { name: ingestSource, constant: external-it }
                    - setProperty: { name: ingestQueue, constant: external-it-q }
                    - to: direct:ingest
                    - setBody: { constant: "%s" }
            """;
    private static final String EVENT = "{\"device_id\": \"3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a\", \"source_timestamp\": "
            + "\"2026-11-22T10:%02d:%02dZ\", \"metrics\": [{\"parameter_key\": \"external_it\", \"value\": 1}]}";

    private static Path createDirectory() {
        try {
            Path dir = Files.createDirectories(Path.of(DIRECTORY_NAME));
            write(dir, "v1");
            return dir;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(Path dir, String version) throws Exception {
        // Write then rename, as a deployment should: the watcher never sees a half-written file.
        Path next = dir.resolve("team.camel.yaml.next");
        Files.writeString(next, ROUTE.formatted(version), StandardCharsets.UTF_8);
        Files.move(next, dir.resolve("team.camel.yaml"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_ops_external_routes"));
        registry.add("ingest.embedded-db.enabled", () -> "false");
    }

    @Autowired ProducerTemplate producer;
    @Autowired CamelContext camel;
    @Autowired JdbcTemplate jdbc;

    @Test
    void aTeamRouteFeedsThePipelineAndIsReloadedWhenItsFileChanges() throws Exception {
        assertThat(camel.getRoute("external-routes-it")).isNotNull();
        assertThat(camel.getRoute("ingest")).as("the jar's routes still run").isNotNull();
        assertThat(producer.requestBody("direct:external-routes-it", EVENT.formatted(0, 1), String.class)).isEqualTo("v1");
        assertThat(rows()).isEqualTo(1);

        write(DIRECTORY, "v2");
        // Each attempt is a new event (a new second), so the pipeline's de-duplication never stops it early.
        int[] second = {1};
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(
                () -> producer.requestBody("direct:external-routes-it", EVENT.formatted(++second[0] / 60, second[0] % 60), String.class),
                "v2"::equals);
        assertThat(rows()).isGreaterThanOrEqualTo(2);
        assertThat(camel.getRoute("ingest")).as("reload replaced only the changed file's route").isNotNull();
    }

    private long rows() {
        return jdbc.queryForObject("SELECT count(*) FROM ingest_events WHERE parameter_key = 'external_it'", Long.class);
    }
}
