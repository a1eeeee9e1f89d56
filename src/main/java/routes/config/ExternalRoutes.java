package routes.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * {@code ingest.routes.directory} → Camel: appends {@code file:<dir>/*.camel.yaml} to
 * {@code camel.main.routes-include-pattern} and, with {@code ingest.routes.reload=true}, turns on Camel's
 * route reload for that directory. Nothing when the key is empty (Camel fails on a missing directory,
 * so it is only ever named when an operator asked for one — and then a missing one fails fast here).
 * Keys: {@code ingest.routes.directory} (default empty: the jar's routes only),
 * {@code ingest.routes.reload} (default false).
 */
public class ExternalRoutes implements EnvironmentPostProcessor {

    static final String DIRECTORY = "ingest.routes.directory";
    static final String RELOAD = "ingest.routes.reload";
    static final String INCLUDE = "camel.main.routes-include-pattern";
    static final String PATTERN = "*.camel.yaml";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String directory = environment.getProperty(DIRECTORY, "").trim();
        if (directory.isEmpty()) {
            return;
        }
        Path path = Path.of(directory).toAbsolutePath().normalize();
        if (!Files.isDirectory(path)) {
            throw new IllegalStateException(DIRECTORY + "=" + directory + " is not a directory (" + path
                    + "): create it, or leave the key empty to run the jar's routes only");
        }
        Map<String, Object> camel = new LinkedHashMap<>();
        String included = environment.getProperty(INCLUDE, "classpath:routes/*.camel.yaml");
        camel.put(INCLUDE, included + ",file:" + path + "/" + PATTERN);
        if (environment.getProperty(RELOAD, Boolean.class, false)) {
            camel.put("camel.main.routes-reload-enabled", "true");
            camel.put("camel.main.routes-reload-directory", path.toString());
            camel.put("camel.main.routes-reload-pattern", PATTERN);
            // Reloading a route replaces it by id: keep the others running.
            camel.put("camel.main.routes-reload-remove-all-routes", "false");
        }
        environment.getPropertySources().addFirst(new MapPropertySource("ingest-external-routes", camel));
    }
}
