package routes.source.redis;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import routes.support.ServerProcess;

/**
 * A redis-server of the test's own (the installed binary, a free port, nothing kept on disk), started with the
 * configuration lines given, for settings the shared Redis must not get: passwords, ACL users, TLS.
 */
final class OwnRedisServer implements AutoCloseable {

    private static final String BINARY = System.getenv().getOrDefault("REDIS_SERVER_BIN", "redis-server");

    private final Path dir;
    private final int port;
    private Process process;

    OwnRedisServer() throws IOException {
        dir = Files.createTempDirectory("it-redis-server");
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    Path dir() {
        return dir;
    }

    /**
     * TLS only ({@code port 0}, {@code tls-port}) on 127.0.0.1 and 127.0.0.2 with these PEM files; client
     * certificates signed by {@code clientCa} required when {@code requireClientCertificate}.
     */
    List<String> tlsLines(Path certificate, Path key, Path clientCa, boolean requireClientCertificate) {
        return List.of("bind 127.0.0.1 127.0.0.2", "port 0", "tls-port " + port,
                "tls-cert-file " + certificate, "tls-key-file " + key, "tls-ca-cert-file " + clientCa,
                "tls-auth-clients " + (requireClientCertificate ? "yes" : "no"));
    }

    /** Plain TCP on 127.0.0.1. */
    List<String> plainLines() {
        return List.of("bind 127.0.0.1", "port " + port);
    }

    /** Starts redis-server with these configuration lines (redis.conf syntax) and waits until it listens. */
    void start(List<String> lines) throws Exception {
        List<String> config = new ArrayList<>(List.of("save \"\"", "appendonly no", "dir " + dir,
                "logfile " + dir.resolve("redis.log")));
        config.addAll(lines);
        Path file = Files.write(dir.resolve("redis.conf"), config);
        process = new ProcessBuilder(BINARY, file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        ServerProcess.awaitListening(process, port, Duration.ofSeconds(20), () -> "redis-server exited: "
                + read(dir.resolve("stdout.log")) + read(dir.resolve("redis.log")));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "(" + file + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
