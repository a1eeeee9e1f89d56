package routes.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.support.Http;
import routes.support.TestDatabase;

/**
 * The console end to end in headless Chromium (Debian's chromium + chromium-driver): an event the
 * database refuses (a test trigger) becomes a dead letter; the trigger is dropped (the "fix"); the
 * page shows the dead letter; pressing replay lands the row in ingest_events.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ingest.security.admin-password=" + ConsoleBrowserIT.PASSWORD})
class ConsoleBrowserIT {

    static final String PASSWORD = "console-it-password";
    static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM_BINARY", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver");
    private static final String KEY = "console_refused";
    private static final String EVENT = "{\"event_id\": \"console-it-1\", \"device_id\": "
            + "\"9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d\", \"source_timestamp\": \"2026-11-22T10:15:30Z\","
            + " \"metrics\": [{\"parameter_key\": \"" + KEY + "\", \"value\": 42.5}]}";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_ops_console"));
        registry.add("ingest.embedded-db.enabled", () -> "false");
    }

    @LocalServerPort int port;
    @Autowired JdbcTemplate jdbc;
    private ChromeDriver browser;
    private Path profile;

    @BeforeEach
    void browser() throws Exception {
        assertThat(Path.of(CHROMIUM)).as("Chromium (apt-get install -y chromium chromium-driver)").exists();
        assertThat(Path.of(CHROMEDRIVER)).as("chromedriver (apt-get install -y chromium-driver)").exists();
        profile = Files.createTempDirectory("console-it-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Path.of(CHROMEDRIVER).toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        // Every request of the page (the HTML, its fetch() polls, the replay POST) carries the admin's Basic credentials.
        browser.executeCdpCommand("Network.enable", Map.of());
        browser.executeCdpCommand("Network.setExtraHTTPHeaders",
                Map.of("headers", Map.of("Authorization", Http.basic("admin", PASSWORD))));
    }

    @AfterEach
    void close() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aDeadLetterShownInTheConsoleIsReplayedIntoTheTableByItsButton() {
        jdbc.execute("""
                CREATE OR REPLACE FUNCTION console_it_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF NEW.parameter_key = 'console_refused' THEN
                    RAISE EXCEPTION 'refused by the console test trigger' USING ERRCODE = '23514';
                  END IF;
                  RETURN NEW;
                END $$""");
        jdbc.execute("CREATE TRIGGER console_it_refuse BEFORE INSERT ON ingest_events "
                + "FOR EACH ROW EXECUTE FUNCTION console_it_refuse()");
        new Http(port).send("POST", "/v1/events", EVENT, null);
        long id = await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                "SELECT max(id) FROM dead_letters WHERE payload LIKE '%" + KEY + "%'", Long.class), v -> v != null);
        assertThat(rows()).isZero();
        jdbc.execute("DROP TRIGGER console_it_refuse ON ingest_events");

        browser.get("http://127.0.0.1:" + port + "/console");
        var wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        WebElement row;
        try {
            row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("dl-" + id)));
        } catch (RuntimeException e) {
            saveForDiagnosis();
            throw e;
        }
        assertThat(row.findElement(By.className("error-type")).getText()).isEqualTo("rejected");
        assertThat(row.findElement(By.className("error")).getText()).contains("refused by the console test trigger");
        assertThat(row.findElement(By.className("payload")).getText()).contains(KEY);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#flow tbody"), "http"));

        row.findElement(By.className("replay")).click();

        await().atMost(Duration.ofSeconds(30)).until(this::rows, n -> n == 1);
        assertThat(jdbc.queryForObject("SELECT value FROM ingest_events WHERE parameter_key = ?", Double.class, KEY))
                .isEqualTo(42.5);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#dl-" + id + " .replayed"),
                "just now"));
        assertThat(jdbc.queryForObject("SELECT replayed_at IS NOT NULL FROM dead_letters WHERE id = ?",
                Boolean.class, id)).isTrue();
        List<String> statuses = browser.findElements(By.id("status")).stream().map(WebElement::getText).toList();
        assertThat(statuses).singleElement().asString().startsWith("live");
    }

    /** The page as the browser has it, for a failed run: target/console-it-page.html. */
    private void saveForDiagnosis() {
        try {
            Files.writeString(Path.of("target", "console-it-page.html"), browser.getPageSource());
        } catch (Exception ignored) {
            // diagnosis only
        }
    }

    private long rows() {
        return jdbc.queryForObject("SELECT count(*) FROM ingest_events WHERE parameter_key = ?", Long.class, KEY);
    }
}
