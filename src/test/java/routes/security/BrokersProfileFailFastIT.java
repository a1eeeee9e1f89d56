package routes.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import routes.support.AppProcess;
import routes.support.TestDatabase;

/** The packaged jar with the brokers profile and no admin password exits at start-up, saying what to set. */
class BrokersProfileFailFastIT {

    @Test
    void theBrokersProfileRefusesToStartWithoutAnAdminPassword() throws Exception {
        Path log = Files.createTempFile("app-failfast-", ".log");
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m", "-jar",
                AppProcess.jar().toString(), "--spring.profiles.active=brokers", "--server.port=" + AppProcess.freePort(),
                "--spring.datasource.url=" + TestDatabase.recreate("it_ops_failfast")))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("INGEST_ADMIN_PASSWORD");
        Process app = builder.start();
        try {
            assertThat(app.waitFor(150, TimeUnit.SECONDS)).as("the app exits by itself").isTrue();
            assertThat(app.exitValue()).isNotZero();
            assertThat(Files.readString(log))
                    .contains("No admin password configured: set ingest.security.admin-password (environment INGEST_ADMIN_PASSWORD)")
                    .doesNotContain("Started IngestApplication");
        } finally {
            app.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }
}
