package routes.pipeline.commit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

/**
 * The statements of a batch write, read once from {@code src/main/resources/db/sql/batch/*.sql} when the
 * writer is created. Comment lines ({@code --}) are dropped, so PostgreSQL gets exactly the statement.
 */
record BatchSql(String insertNew, String lockExisting, String updateChanged, String addStats, String recomputeStats) {

    static final String DIRECTORY = "db/sql/batch/";

    static BatchSql load() {
        return new BatchSql(read("insert-new.sql"), read("lock-existing.sql"), read("update-changed.sql"),
                read("add-stats.sql"), read("recompute-stats.sql"));
    }

    static String read(String file) {
        String path = DIRECTORY + file;
        try (InputStream in = BatchSql.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing SQL resource " + path);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String sql = text.lines()
                    .filter(line -> !line.stripLeading().startsWith("--"))
                    .collect(Collectors.joining("\n"))
                    .strip();
            if (sql.isEmpty()) {
                throw new IllegalStateException("empty SQL resource " + path);
            }
            return sql;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
