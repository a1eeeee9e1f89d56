package routes.source.rabbitmq;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
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
 * A RabbitMQ node of the test's own beside the machine's (its own node name, ports, config, database and
 * logs in a temp directory), for settings the shared broker must not get, such as TLS listeners. Started
 * with the installed {@code rabbitmq-server} as the {@code rabbitmq} user when the test runs as root (the
 * node refuses root, and needs that user's Erlang cookie for {@code rabbitmqctl}).
 */
final class OwnRabbitMqNode implements AutoCloseable {

    private static final String SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private static final String CTL = "/usr/lib/rabbitmq/bin/rabbitmqctl";
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final Path dir;
    private final String nodeName;
    private final int tcpPort;
    private final int tlsPort;
    private final int distPort;
    private Process process;

    /** A node listening for plain AMQP on 127.0.0.1 and TLS on 127.0.0.1 and 127.0.0.2, one port. */
    private OwnRabbitMqNode() throws IOException {
        dir = Files.createTempDirectory("it-rabbitmq-node");
        tcpPort = freePort();
        tlsPort = freePort();
        distPort = freePort();
        nodeName = "ingest-tls-" + ProcessHandle.current().pid() + "-" + tlsPort + "@localhost";
    }

    /**
     * TLS with the server certificate and key given (PEM files, copied), trusting client certificates
     * signed by {@code clientCa}; {@code requireClientCertificate}: a client without one is refused.
     */
    static OwnRabbitMqNode withTls(Path serverCertificate, Path serverKey, Path clientCa,
                                   boolean requireClientCertificate) throws IOException {
        OwnRabbitMqNode node = new OwnRabbitMqNode();
        Path cert = Files.copy(serverCertificate, node.dir.resolve("server.crt"));
        Path key = Files.copy(serverKey, node.dir.resolve("server.key"));
        Path ca = Files.copy(clientCa, node.dir.resolve("client-ca.crt"));
        Files.writeString(node.dir.resolve("rabbitmq.conf"), String.join("\n",
                "listeners.tcp.default = 127.0.0.1:" + node.tcpPort,
                "listeners.ssl.1 = 127.0.0.1:" + node.tlsPort,
                "listeners.ssl.2 = 127.0.0.2:" + node.tlsPort,
                "ssl_options.cacertfile = " + ca,
                "ssl_options.certfile = " + cert,
                "ssl_options.keyfile = " + key,
                "ssl_options.verify = verify_peer",
                "ssl_options.fail_if_no_peer_cert = " + requireClientCertificate,
                "log.console = false",
                ""));
        Files.writeString(node.dir.resolve("enabled_plugins"), "[].\n");
        return node;
    }

    String nodeName() {
        return nodeName;
    }

    /** Plain AMQP on 127.0.0.1, for the test's own publisher. */
    int tcpPort() {
        return tcpPort;
    }

    /** AMQPS on 127.0.0.1 and 127.0.0.2. */
    int tlsPort() {
        return tlsPort;
    }

    /** Starts the node and waits until its TLS listener accepts connections. */
    void start() throws Exception {
        if (ROOT) {
            run("chmod", "-R", "a+rX", dir.toString());
            run("chown", "-R", "rabbitmq:rabbitmq", dir.toString());
        }
        List<String> command = new ArrayList<>(asRabbitmq());
        command.addAll(List.of(
                "RABBITMQ_NODENAME=" + nodeName,
                "RABBITMQ_NODE_PORT=" + tcpPort,
                "RABBITMQ_DIST_PORT=" + distPort,
                "RABBITMQ_CONFIG_FILE=" + dir.resolve("rabbitmq.conf"),
                "RABBITMQ_ENABLED_PLUGINS_FILE=" + dir.resolve("enabled_plugins"),
                "RABBITMQ_MNESIA_BASE=" + dir.resolve("mnesia"),
                "RABBITMQ_LOG_BASE=" + dir.resolve("log"),
                "RABBITMQ_PID_FILE=" + dir.resolve("pid"),
                SERVER));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        ServerProcess.awaitListening(process, tlsPort, Duration.ofSeconds(120), () -> "RabbitMQ node " + nodeName
                + " exited (" + process.exitValue() + "): " + tail(dir.resolve("stdout.log")));
    }

    /** {@code rabbitmqctl -n <this node> args...}: its output lines. */
    List<String> rabbitmqctl(String... args) {
        List<String> command = new ArrayList<>(asRabbitmq());
        command.addAll(List.of(CTL, "-n", nodeName));
        command.addAll(List.of(args));
        return run(command.toArray(String[]::new));
    }

    /** Stops the node (rabbitmqctl stop, which waits for the VM to halt) and removes its directory. */
    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            try {
                rabbitmqctl("stop");
            } catch (RuntimeException e) {
                // falls through to the signals below
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static List<String> asRabbitmq() {
        return ROOT ? List.of("runuser", "-u", "rabbitmq", "--", "env", "HOME=/var/lib/rabbitmq") : List.of("env");
    }

    private static List<String> run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            return out.lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + " not runnable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no " + file + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
