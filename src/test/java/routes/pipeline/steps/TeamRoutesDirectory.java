package routes.pipeline.steps;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A routes directory for an IT ({@code ingest.routes.directory}) holding copies of example route files from
 * docs/examples/routes, exactly as a team would drop them in. A plain property, not a dynamic one: the
 * directory is read while the environment is prepared (routes.config.ExternalRoutes).
 */
final class TeamRoutesDirectory {

    static final Path EXAMPLES = Path.of("docs/examples/routes");

    private TeamRoutesDirectory() {
    }

    /** target/&lt;name&gt;, emptied, with the given example files copied in. */
    static Path of(String name, String... examples) {
        try {
            Path dir = Files.createDirectories(Path.of("target", name));
            try (var old = Files.list(dir)) {
                for (Path p : old.toList()) {
                    Files.delete(p);
                }
            }
            for (String example : examples) {
                Files.copy(EXAMPLES.resolve(example), dir.resolve(example), StandardCopyOption.REPLACE_EXISTING);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
