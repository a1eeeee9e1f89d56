package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import routes.support.AppProcess;

/**
 * The Dockerfile's AOT training step, run as the image runs it: the packaged jar extracted, then
 * {@code scripts/aot-cache.sh} with the runtime's Java (the Dockerfile's major). The cache it writes must
 * be one that JVM maps for that jar ({@code -XX:AOTMode=on} refuses to start otherwise), and one made for
 * another jar must not be. Skipped on a machine without that JDK.
 */
class AotCacheScriptIT {

    @TempDir
    Path work;

    @Test
    void theTrainingRunWritesACacheTheRuntimeMapsForThatJarOnly() throws Exception {
        String javaHome = run(Path.of("."), Map.of(), "bash", "-c",
                "source scripts/lib/runtime-java.sh && runtime_java_home").strip();
        assumeThat(javaHome).as("a JDK of the Dockerfile's Java major under /usr/lib/jvm").isNotEmpty();
        Path java = Path.of(javaHome, "bin", "java");
        run(Path.of("."), Map.of(), java.toString(), "-Djarmode=tools", "-jar", AppProcess.jar().toString(),
                "extract", "--destination", work.resolve("app").toString());
        Path jar;
        try (Stream<Path> files = Files.list(work.resolve("app"))) {
            jar = files.filter(p -> p.getFileName().toString().endsWith(".jar")).findFirst().orElseThrow();
        }
        Path cache = work.resolve("ingest-routes.aot");

        String out = run(Path.of("."), Map.of("JAVA_HOME", javaHome, "AOT_JAVA_FLAGS", "-Xmx512m"),
                "bash", "scripts/aot-cache.sh", jar.toString(), cache.toString(), "40");

        assertThat(out).contains("answers: 202 x");
        assertThat(Files.size(cache)).isGreaterThan(10_000_000L);
        assertThat(exitCode(java, cache, jar)).as("the runtime maps the cache for its jar").isZero();
        Path other = Files.copy(jar, work.resolve("other.jar"));
        Files.setLastModifiedTime(other, FileTime.from(Instant.now().plusSeconds(60)));
        assertThat(exitCode(java, cache, other)).as("a cache made for another jar is refused").isNotZero();
    }

    private static int exitCode(Path java, Path cache, Path jar) throws Exception {
        Process p = new ProcessBuilder(java.toString(), "-XX:AOTMode=on", "-XX:AOTCache=" + cache, "-Xmx512m",
                "-cp", jar.toString(), "-version").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private static String run(Path dir, Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("%s finished", String.join(" ", command)).isTrue();
        assertThat(p.exitValue()).as("%s exit code; output:%n%s", String.join(" ", command), out).isZero();
        return out;
    }
}
