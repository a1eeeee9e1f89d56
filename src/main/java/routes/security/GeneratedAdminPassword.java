package routes.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default's admin password: generated on the first start into a file only its owner may
 * read (POSIX mode 600), and read from it on every later start, so the operator's password survives
 * restarts as the embedded database does. The log names the file, never the password: logs end up in
 * files and log shippers.
 */
final class GeneratedAdminPassword {

    private static final Logger LOG = LoggerFactory.getLogger(GeneratedAdminPassword.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private GeneratedAdminPassword() {
    }

    static String readOrCreate(Path file, String user) {
        try {
            Path absolute = file.toAbsolutePath();
            if (Files.isRegularFile(absolute)) {
                String password = Files.readString(absolute, StandardCharsets.UTF_8).trim();
                if (!password.isEmpty()) {
                    keepPrivate(absolute);
                    LOG.info("No ingest.security.admin-password set: user '{}' logs in with the password kept in {}",
                            user, absolute);
                    return password;
                }
            }
            String password = random();
            write(absolute, password);
            LOG.warn("No ingest.security.admin-password set: generated one for user '{}' into {} (readable by its "
                    + "owner only; kept across restarts, delete the file for a new one)", user, absolute);
            return password;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot keep the generated admin password in " + file
                    + ": set ingest.security.admin-password or ingest.security.generated-password-file", e);
        }
    }

    /** Written to a private temporary file first, then moved: the password is never readable by others. */
    private static void write(Path file, String password) throws IOException {
        Path directory = file.getParent();
        Files.createDirectories(directory);
        FileAttribute<?>[] attributes = posix()
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
        Path temporary = Files.createTempFile(directory, ".admin-password", ".tmp", attributes);
        try {
            Files.writeString(temporary, password + "\n", StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static void keepPrivate(Path file) throws IOException {
        if (posix() && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
            LOG.warn("{} was readable by others: its permissions are set to owner-only (600)", file);
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static String random() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
