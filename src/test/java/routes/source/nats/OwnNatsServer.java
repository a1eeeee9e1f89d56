package routes.source.nats;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import routes.support.ServerProcess;

/**
 * A NATS JetStream server of the test's own (same binary and flags as the machine's, its own port and
 * store directory), so a test can stop and restart it without disturbing anyone else's tests.
 */
final class OwnNatsServer implements AutoCloseable {

    private static final String BINARY = System.getenv().getOrDefault("NATS_SERVER_BIN", "/usr/sbin/nats-server");

    private final int port;
    private final Path storeDir;
    private final Path logFile;
    private final String config;
    private Process process;

    OwnNatsServer() throws IOException {
        this(null);
    }

    /**
     * A server also started with this configuration file text (authorization, tls, operator, ...); port,
     * address, JetStream and store directory still come from the command line.
     */
    OwnNatsServer(String config) throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            this.port = socket.getLocalPort();
        }
        this.storeDir = Files.createTempDirectory("it-nats-store");
        this.logFile = storeDir.resolve("nats-server.log");
        this.config = config;
    }

    String url() {
        return "nats://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    /** The server's log so far (for assertions and failure messages). */
    String log() throws IOException {
        return Files.exists(logFile) ? Files.readString(logFile) : "";
    }

    /** Starts the server and waits until it accepts connections. */
    void start() throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(BINARY, "-a", "127.0.0.1",
                "-p", Integer.toString(port), "-js", "-sd", storeDir.toString(), "-l", logFile.toString()));
        if (config != null) {
            Path file = storeDir.resolve("nats-server.conf");
            Files.writeString(file, config);
            command.addAll(java.util.List.of("-c", file.toString()));
        }
        process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(new File(storeDir.toFile(), "stdout.log")).start();
        ServerProcess.awaitListening(process, port, Duration.ofSeconds(30), () -> "nats-server exited: see " + logFile);
    }

    /** Stops the server the way a restart does (SIGTERM) and waits until it has exited. */
    void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
