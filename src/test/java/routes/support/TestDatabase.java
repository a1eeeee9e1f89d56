package routes.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Gives each integration test its own fresh database on the local PostgreSQL, so runs never collide.
 * Host and port from TEST_DB_HOST / TEST_DB_PORT (default 127.0.0.1:5432, user postgres, trust auth).
 */
public final class TestDatabase {

    public static final String HOST = env("TEST_DB_HOST", "127.0.0.1");
    public static final String PORT = env("TEST_DB_PORT", "5432");
    public static final String USER = env("TEST_DB_USER", "postgres");

    private TestDatabase() {
    }

    /** Drops and creates database {@code name}; returns its JDBC URL. */
    public static String recreate(String name) {
        if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("not a plain database name: " + name);
        }
        try (Connection c = DriverManager.getConnection(url("postgres"), USER, "");
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name + " on " + HOST + ":" + PORT
                    + " (is PostgreSQL running? scripts/test-services.sh starts it)", e);
        }
        return url(name);
    }

    /**
     * Lets database {@code name} accept connections again, or refuses new ones and ends its sessions, as a
     * PostgreSQL that went away would: the app's pool then fails to connect until it is back.
     */
    public static void acceptConnections(String name, boolean accept) throws SQLException {
        try (Connection c = DriverManager.getConnection(url("postgres"), USER, "");
             Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS " + accept);
            if (!accept) {
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
            }
        }
    }

    public static String url(String database) {
        return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + database;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
