package routes.source.nats;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

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
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("nats-server exited: see " + logFile);
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("nats-server did not answer on port " + port);
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
